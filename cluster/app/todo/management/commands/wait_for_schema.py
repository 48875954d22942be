import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


class Command(BaseCommand):
    help = "Wait until every migration is applied (by the peer node, through replication)."

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=90)

    def handle(self, *args, timeout, **options):
        deadline = time.monotonic() + timeout
        pending = None
        while time.monotonic() < deadline:
            executor = MigrationExecutor(connection)
            pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
            if not pending:
                return
            time.sleep(0.5)
        names = ", ".join(f"{m.app_label}.{m.name}" for m, _ in pending or [])
        raise CommandError(f"schema not complete after {timeout:.0f} s; still pending: {names}")
