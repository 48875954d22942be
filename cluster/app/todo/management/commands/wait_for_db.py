import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.utils import OperationalError


class Command(BaseCommand):
    help = "Wait until the database answers a query (bounded)."

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=60)

    def handle(self, *args, timeout, **options):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            try:
                connection.ensure_connection()
                with connection.cursor() as cur:
                    cur.execute("SELECT 1")
                return
            except OperationalError as err:
                last = err
                connection.close()
                time.sleep(0.5)
        raise CommandError(f"database did not answer within {timeout:.0f} s: {last}")
