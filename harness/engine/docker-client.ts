import Docker from "dockerode";

let client: Docker | undefined;

/** One dockerode client for the process; it honours DOCKER_HOST like the docker CLI. */
export function dockerClient(): Docker {
  client ??= new Docker();
  return client;
}

export function engineAddress(env: NodeJS.ProcessEnv = process.env): string {
  return env.DOCKER_HOST || "unix:///var/run/docker.sock";
}

export async function engineAnswers(timeoutMs = 3000): Promise<boolean> {
  try {
    await Promise.race([
      dockerClient().ping(),
      new Promise((_, reject) => setTimeout(() => reject(new Error("ping timed out")), timeoutMs)),
    ]);
    return true;
  } catch {
    // Any failure here means "no engine yet"; the caller decides what to do and says so.
    return false;
  }
}
