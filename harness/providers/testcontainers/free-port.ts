import net from "node:net";

/**
 * A free TCP port on 127.0.0.1. Lab ports are pinned to such ports at `up` rather than left to the
 * engine, because the engine picks a new random port when a container restarts (crash drills do),
 * and endpoints handed out by `up` must stay true.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}
