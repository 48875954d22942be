import { readFileSync } from "node:fs";
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

/** Whether `port` can be listened on at 127.0.0.1 right now. */
function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** The kernel's ephemeral range (bind to port 0 and outgoing connections take their ports there). */
export function ephemeralRange(text = readRange()): [number, number] {
  const m = /^\s*(\d+)\s+(\d+)\s*$/.exec(text);
  return m ? [Number(m[1]), Number(m[2])] : [32768, 60999];
}

function readRange(): string {
  try {
    return readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8");
  } catch {
    return "";
  }
}

/**
 * A free port below the ephemeral range, for ports that stay unbound for a long while after they are
 * chosen (an Ansible deployment publishes HAProxy's a minute after choosing it). `freePort` draws
 * from the ephemeral range, as every other lab and every outgoing connection does: a port chosen
 * there and left unbound was seen taken by a lab started beside it ("port is already allocated").
 * Below it, only another caller of this function competes, and it draws at random.
 */
export async function freePortBelowEphemeral(taken: ReadonlySet<number> = new Set()): Promise<number> {
  const [low] = ephemeralRange();
  const from = 10_000;
  const to = Math.max(from + 1000, low) - 1;
  for (let tries = 0; tries < 200; tries++) {
    const port = from + Math.floor(Math.random() * (to - from + 1));
    if (!taken.has(port) && (await canListen(port))) return port;
  }
  throw new Error(`no free port on 127.0.0.1 between ${from} and ${to} after 200 tries`);
}
