import { request } from "undici";

export interface AppResponse<T> {
  status: number;
  body: T;
  /** The node that answered (the app's `X-Served-By` header); undefined when HAProxy answered itself. */
  servedBy: string | undefined;
}

export interface ListJson {
  id: number;
  title: string;
}
export interface ItemJson {
  id: number;
  list_id: number;
  text: string;
}

/** A small client of the to-do JSON API, through HAProxy or straight to one app. */
export class AppClient {
  constructor(
    readonly baseUrl: string,
    private readonly timeoutMs = 5000,
  ) {}

  private async call<T>(method: "GET" | "POST", path: string, json?: unknown): Promise<AppResponse<T>> {
    const res = await request(`${this.baseUrl}${path}`, {
      method,
      headers: json === undefined ? {} : { "content-type": "application/json" },
      body: json === undefined ? undefined : JSON.stringify(json),
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
    });
    const text = await res.body.text();
    let body: unknown = text;
    if (String(res.headers["content-type"] ?? "").includes("application/json")) body = JSON.parse(text);
    const servedBy = res.headers["x-served-by"];
    return {
      status: res.statusCode,
      body: body as T,
      servedBy: Array.isArray(servedBy) ? servedBy[0] : servedBy,
    };
  }

  createList(title: string) {
    return this.call<ListJson>("POST", "/api/lists", { title });
  }
  getList(id: number) {
    return this.call<ListJson>("GET", `/api/lists/${id}`);
  }
  addItem(listId: number, text: string) {
    return this.call<ItemJson>("POST", `/api/lists/${listId}/items`, { text });
  }
  getItem(id: number) {
    return this.call<ItemJson>("GET", `/api/items/${id}`);
  }
  listItems(listId: number) {
    return this.call<{ items: ItemJson[] }>("GET", `/api/lists/${listId}/items`);
  }
  home() {
    return this.call<string>("GET", "/");
  }
  healthz() {
    return this.call<{ status: string; node: string }>("GET", "/healthz");
  }
}
