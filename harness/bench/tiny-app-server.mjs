// A stand-in for the to-do app's JSON API that answers at once: lets the RSS benchmark record a
// million operations in minutes. Loopback only; sends its port to the parent and exits with it.
import http from "node:http";

let next = 1;
const server = http.createServer((req, res) => {
  let body = "";
  req.on("data", (c) => (body += c));
  req.on("end", () => {
    const headers = { "content-type": "application/json", "x-served-by": "stand-in" };
    if (req.method === "POST") {
      res.writeHead(201, headers).end(JSON.stringify({ id: next++ }));
    } else {
      res.writeHead(200, headers).end(JSON.stringify({ id: 1, list_id: 1, text: "x" }));
    }
  });
});
server.listen(0, "127.0.0.1", () => process.send(server.address().port));
process.on("disconnect", () => process.exit(0));
