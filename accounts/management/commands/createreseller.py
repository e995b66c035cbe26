from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, transaction

from accounts.models import Reseller, User


class Command(BaseCommand):
    help = "Create a reseller, optionally with a dashboard login, and print its new API key."

    def add_arguments(self, parser):
        parser.add_argument("name", help="Reseller name, unique.")
        parser.add_argument("--login", help="Username of a dashboard login to create for the reseller.")
        parser.add_argument("--password", help="Password of the dashboard login (required with --login).")
        parser.add_argument("--quota", type=int, help="Maximum number of live VPN users (default: no limit).")

    def handle(self, *args, name, login, password, quota, **options):
        if bool(login) != bool(password):
            raise CommandError("Give --login and --password together, or neither.")
        if quota is not None and quota < 0:
            raise CommandError(f"--quota={quota} is negative: give 0 or more.")
        try:
            with transaction.atomic():
                reseller = Reseller.objects.create(name=name, quota=quota)
                if login:
                    User.objects.create_user(username=login, password=password, reseller=reseller)
                _, plaintext = reseller.issue_api_key(name="default")
        except IntegrityError:
            raise CommandError(f"A reseller named {name!r} or a login named {login!r} already exists.") from None

        self.stdout.write(f"Created reseller {reseller.name} (id {reseller.pk}).")
        if login:
            self.stdout.write(f"Dashboard login: {login}")
        self.stdout.write("The API key is shown only now; store it safely.")
        self.stdout.write(f"API-KEY: {plaintext}")
