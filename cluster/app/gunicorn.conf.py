"""gunicorn settings. Several workers share one /metrics through prometheus_client's multiprocess mode."""
import os

from prometheus_client import multiprocess

bind = "0.0.0.0:8000"
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
timeout = 30
graceful_timeout = 5
accesslog = "-"
errorlog = "-"


def child_exit(server, worker):
    # A dead worker's live gauges must not linger in the aggregated scrape.
    multiprocess.mark_process_dead(worker.pid)
