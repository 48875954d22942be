from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection


class Command(BaseCommand):
    help = "migrate, holding a MariaDB named lock so two processes on one node never migrate at once."

    def add_arguments(self, parser):
        parser.add_argument("--noinput", action="store_true")

    def handle(self, *args, **options):
        with connection.cursor() as cur:
            cur.execute("SELECT GET_LOCK('firedrill-migrate', 60)")
            (got,) = cur.fetchone()
            if got != 1:
                raise CommandError("could not take the migration lock within 60 s")
            try:
                call_command("migrate", interactive=False, verbosity=1)
            finally:
                cur.execute("SELECT RELEASE_LOCK('firedrill-migrate')")
