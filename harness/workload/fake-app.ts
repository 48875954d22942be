/** Test helpers for the generators: a local HTTP server on 127.0.0.1 and an in-memory to-do app. */
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface LocalServer {
  url: string;
  close: () => Promise<void>;
}

/** An HTTP server on 127.0.0.1 (never beyond it), on a free port. */
export async function localServer(handler: http.RequestListener): Promise<LocalServer> {
  const s = http.createServer(handler);
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`,
    close: () =>
      new Promise((r) => {
        // Hung requests would keep close() waiting forever.
        s.closeAllConnections();
        s.close(() => r());
      }),
  };
}

export interface FakeApp extends LocalServer {
  /** Item id → text, as the app stores it; delete one to plant a lost write. */
  items: Map<number, string>;
  /** Every item id read, in arrival order. */
  reads: number[];
  /** Most reads in flight at once, as the server saw them. */
  maxInFlight: () => number;
  /**
   * Answer a read of this item yourself (status, or "hang" to never answer); undefined: the app's
   * normal answer (200 with the text, or 404 from the node when the item is gone).
   */
  onRead?: (itemId: number) => number | "hang" | undefined;
}

/** The app's three routes, in memory, every answer stamped `X-Served-By: <node>` as HAProxy's nodes do. */
export async function fakeApp(node = "node1"): Promise<FakeApp> {
  let nextList = 0;
  let nextItem = 0;
  const listOf = new Map<number, number>();
  let inFlight = 0;
  let maxInFlight = 0;
  const app: Omit<FakeApp, "url" | "close"> = {
    items: new Map(),
    reads: [],
    maxInFlight: () => maxInFlight,
  };
  const s = await localServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const send = (status: number, body: unknown) =>
        res
          .writeHead(status, { "content-type": "application/json", "x-served-by": node })
          .end(JSON.stringify(body));
      const url = req.url ?? "";
      const addItem = /^\/api\/lists\/(\d+)\/items$/.exec(url);
      const readItem = /^\/api\/items\/(\d+)$/.exec(url);
      if (req.method === "POST" && url === "/api/lists") return send(201, { id: ++nextList });
      if (req.method === "POST" && addItem) {
        const { text } = JSON.parse(Buffer.concat(chunks).toString()) as { text: string };
        app.items.set(++nextItem, text);
        listOf.set(nextItem, Number(addItem[1]));
        return send(201, { id: nextItem });
      }
      // A whole list, as the app returns it: its items (those still there) in id order.
      if (req.method === "GET" && addItem) {
        const list = Number(addItem[1]);
        if (list < 1 || list > nextList) return send(404, { detail: "Not found." });
        const items = [...app.items].filter(([id]) => listOf.get(id) === list);
        return send(200, { id: list, items: items.map(([id, text]) => ({ id, text, done: false })) });
      }
      if (req.method === "GET" && readItem) {
        const id = Number(readItem[1]);
        app.reads.push(id);
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        res.on("close", () => inFlight--);
        const planted = app.onRead?.(id);
        if (planted === "hang") return;
        if (planted !== undefined) return send(planted, { detail: "planted" });
        const text = app.items.get(id);
        return text === undefined ? send(404, { detail: "Not found." }) : send(200, { id, text });
      }
      send(404, { detail: "no such route" });
    });
  });
  return Object.assign(app, s);
}
