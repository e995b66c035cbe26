from django.core.management.base import BaseCommand

from vpnapi import idempotency


class Command(BaseCommand):
    help = (
        "Delete stored responses to Idempotency-Key requests that are older than 24 hours. "
        "Run it from cron, for example hourly."
    )

    def handle(self, *args, **options):
        deleted = idempotency.purge_expired()
        self.stdout.write(f"Deleted {deleted} expired Idempotency-Key responses.")
