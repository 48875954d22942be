import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { LogTail } from "./log-tail.ts";

describe("LogTail (a container's last lines, read while it starts)", () => {
  it("keeps the last N lines across chunks that split lines", () => {
    const tail = new LogTail(3);
    tail.push("one\ntw");
    tail.push("o\nthree\nfour\nfi");
    expect(tail.text()).toBe("three\nfour\nfi");
    tail.push("ve\n");
    expect(tail.text()).toBe("three\nfour\nfive");
  });

  it("cuts a runaway line", () => {
    const tail = new LogTail(5, 10);
    tail.push(`${"x".repeat(25)}\nend\n`);
    expect(tail.text()).toBe(`${"x".repeat(10)}…\nend`);
  });

  it("settles when the stream ends (the lines written just before the exit are in), or after the bound", async () => {
    const stream = new PassThrough({ encoding: "utf8" });
    const tail = new LogTail(40);
    tail.follow(stream);
    stream.write("Traceback (most recent call last):\n");
    setTimeout(() => stream.end("RuntimeError: planted\n"), 20);
    expect(await tail.settle(5000)).toBe("Traceback (most recent call last):\nRuntimeError: planted");
    const silent = new LogTail(40);
    silent.follow(new PassThrough());
    const t0 = performance.now();
    expect(await silent.settle(50)).toBe("");
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it("stops parsing once the container is up, and an error on the stream never throws", () => {
    const stream = new PassThrough({ encoding: "utf8" });
    const tail = new LogTail(40);
    tail.follow(stream);
    stream.write("ready\n");
    tail.stop();
    stream.write("GET / 200\n");
    stream.emit("error", new Error("socket closed"));
    expect(tail.text()).toBe("ready");
  });
});
