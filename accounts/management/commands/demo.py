import random
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import AccountType, Reseller, User, VpnUser, generate_username

DEMO_RESELLER = "Demo reseller"
DEMO_LOGIN = "demo"
DEMO_PASSWORD = "demo-password"
SAMPLE_PASSWORD = "sample-password"


class Command(BaseCommand):
    help = (
        "Create or refresh the demo reseller with a dashboard login, print the login and a fresh API key, "
        "and optionally add sample VPN users."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--users", type=int, default=0, help="Number of sample VPN users to add, spread over the last 12 months."
        )

    def handle(self, *args, users, **options):
        if users < 0 or users > 1_000_000:
            raise CommandError(f"--users={users} is out of range: give 0 to 1000000.")
        with transaction.atomic():
            reseller, _ = Reseller.objects.get_or_create(name=DEMO_RESELLER)
            reseller.enabled = True
            reseller.save(update_fields=["enabled"])
            login, _ = User.objects.get_or_create(username=DEMO_LOGIN, defaults={"reseller": reseller})
            login.reseller = reseller
            login.set_password(DEMO_PASSWORD)
            login.save()
            _, plaintext = reseller.issue_api_key(name=f"demo {timezone.now():%Y-%m-%d %H:%M}")
            if users:
                self._add_sample_users(reseller, users)

        self.stdout.write(f"Demo reseller: {reseller.name} (id {reseller.pk})")
        self.stdout.write(f"Dashboard login: {DEMO_LOGIN} / {DEMO_PASSWORD}")
        if users:
            self.stdout.write(f"Added {users} sample users; their password is {SAMPLE_PASSWORD}")
        self.stdout.write(f"API-KEY: {plaintext}")

    def _add_sample_users(self, reseller, count):
        # One hash for all samples: hashing each one would take count * 20 ms.
        password_hash = make_password(SAMPLE_PASSWORD)
        now = timezone.now()
        taken = {name.lower() for name in VpnUser.objects.live().values_list("username", flat=True)}
        batch = []
        for _ in range(count):
            username = generate_username()
            while username in taken:
                username = generate_username()
            taken.add(username)
            created = now - timedelta(seconds=random.randint(0, 365 * 24 * 3600))
            batch.append(
                VpnUser(
                    reseller=reseller,
                    username=username,
                    password=password_hash,
                    enable=random.random() > 0.1,
                    account_type=AccountType.LEX if random.random() < 0.3 else AccountType.PREMIUM,
                    created_at=created,
                    deleted_at=self._sample_deletion(created, now),
                )
            )
        VpnUser.objects.bulk_create(batch, batch_size=1000)

    @staticmethod
    def _sample_deletion(created, now):
        """Delete about one sample in twenty, some days after it was created but never in the future."""
        if random.random() >= 0.05:
            return None
        return min(now, created + timedelta(days=random.randint(1, 60)))
