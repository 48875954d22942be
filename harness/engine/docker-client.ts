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

/** Pings the engine; on failure says why (the caller decides what to do and tells the user). */
export async function probeEngine(
  timeoutMs = 3000,
): Promise<{ ok: true } | { ok: false; code: string; reason: string }> {
  try {
    await Promise.race([
      dockerClient().ping(),
      new Promise((_, reject) => setTimeout(() => reject(new Error("ping timed out")), timeoutMs)),
    ]);
    return { ok: true };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return { ok: false, code: e.code ?? "", reason: e.message };
  }
}

export async function engineAnswers(timeoutMs = 3000): Promise<boolean> {
  return (await probeEngine(timeoutMs)).ok;
}
