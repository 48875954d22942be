"""firedrill's notification receiver, run as a lab container on control1.

It records every webhook delivery (Alertmanager's at /hook/alertmanager, Grafana's at
/hook/grafana) with the time it arrived, and hands them to the harness at /deliveries. It also
relays the harness's own client-side metrics: the harness listens on 127.0.0.1 only, which the lab's
Prometheus cannot reach, so the harness PUTs its exposition text to /harness-metrics and Prometheus
scrapes it here at /metrics.

Standard library only; memory is bounded (the newest MAX_DELIVERIES are kept).
"""

import json
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

MAX_DELIVERIES = 5000
MAX_BODY = 1 << 20

lock = threading.Lock()
deliveries = deque(maxlen=MAX_DELIVERIES)
state = {"seq": 0, "harness_metrics": "", "by_source": {}}


class Handler(BaseHTTPRequestHandler):
    server_version = "firedrill-receiver/1"

    def log_message(self, fmt, *args):  # one line per request on stderr is noise in drill logs
        pass

    def _send(self, code, body, content_type="application/json"):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise ValueError(f"body of {length} bytes is over {MAX_BODY}")
        return self.rfile.read(length)

    def do_POST(self):
        # Arrival time first: this is what "time to notify" measures.
        received_ms = time.time() * 1000
        path = urlparse(self.path).path
        if not path.startswith("/hook/"):
            return self._send(404, '{"error":"POST to /hook/<source>"}')
        source = path[len("/hook/"):] or "unknown"
        try:
            payload = json.loads(self._body() or b"null")
        except (ValueError, json.JSONDecodeError) as err:
            return self._send(400, json.dumps({"error": str(err)}))
        with lock:
            state["seq"] += 1
            state["by_source"][source] = state["by_source"].get(source, 0) + 1
            deliveries.append(
                {"seq": state["seq"], "source": source, "receivedAtMs": received_ms, "payload": payload}
            )
        self._send(200, '{"ok":true}')

    def do_PUT(self):
        if urlparse(self.path).path != "/harness-metrics":
            return self._send(404, '{"error":"PUT to /harness-metrics"}')
        try:
            text = self._body().decode()
        except ValueError as err:
            return self._send(400, json.dumps({"error": str(err)}))
        with lock:
            state["harness_metrics"] = text
        self._send(200, '{"ok":true}')

    def do_GET(self):
        url = urlparse(self.path)
        if url.path == "/healthz":
            return self._send(200, '{"ok":true}')
        if url.path == "/deliveries":
            since = int(parse_qs(url.query).get("since", ["0"])[0])
            with lock:
                items = [d for d in deliveries if d["seq"] > since]
            return self._send(200, json.dumps({"deliveries": items}))
        if url.path == "/metrics":
            with lock:
                lines = [
                    "# HELP firedrill_receiver_deliveries_total Webhook deliveries received, by source.",
                    "# TYPE firedrill_receiver_deliveries_total counter",
                ]
                for source, n in sorted(state["by_source"].items()):
                    lines.append(f'firedrill_receiver_deliveries_total{{source="{source}"}} {n}')
                text = "\n".join(lines) + "\n" + state["harness_metrics"]
            return self._send(200, text, "text/plain; version=0.0.4")
        self._send(404, '{"error":"unknown path"}')


if __name__ == "__main__":
    ThreadingHTTPServer(("0.0.0.0", 9099), Handler).serve_forever()
