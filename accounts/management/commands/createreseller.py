from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, transaction

from accounts.models import Reseller, User

NAME_MAX_LENGTH = Reseller._meta.get_field("name").max_length


class Command(BaseCommand):
    help = "Create a reseller, optionally with a dashboard login, and print its new API key."

    def add_arguments(self, parser):
        parser.add_argument("name", help="Reseller name, unique.")
        parser.add_argument("--login", help="Username of a dashboard login to create for the reseller.")
        parser.add_argument("--password", help="Password of the dashboard login (required with --login).")
        parser.add_argument("--quota", type=int, help="Maximum number of live VPN users (default: no limit).")

    def handle(self, *args, name, login, password, quota, **options):
        name = name.strip()
        if not name or len(name) > NAME_MAX_LENGTH:
            raise CommandError(f"The reseller name must be 1 to {NAME_MAX_LENGTH} characters: got {name!r}.")
        if bool(login) != bool(password):
            raise CommandError("Give --login and --password together, or neither.")
        if quota is not None and quota < 0:
            raise CommandError(f"--quota={quota} is negative: give 0 or more.")
        if login:
            check_login(login, password)

        # Everything is created in one transaction, so a failure leaves no
        # reseller without its login or key.
        with transaction.atomic():
            try:
                with transaction.atomic():
                    reseller = Reseller.objects.create(name=name, quota=quota)
            except IntegrityError:
                raise CommandError(f"A reseller named {name!r} already exists: choose another name.") from None
            if login:
                try:
                    with transaction.atomic():
                        User.objects.create_user(username=login, password=password, reseller=reseller)
                except IntegrityError:
                    raise CommandError(f"A login named {login!r} already exists: choose another login.") from None
            _, plaintext = reseller.issue_api_key(name="default")

        self.stdout.write(f"Created reseller {reseller.name} (id {reseller.pk}).")
        if login:
            self.stdout.write(f"Dashboard login: {login}")
        self.stdout.write("The API key is shown only now; store it safely.")
        self.stdout.write(f"API-KEY: {plaintext}")


def check_login(login, password):
    """Raise CommandError unless the login passes the checks the admin applies to dashboard logins."""
    try:
        User.username_validator(login)
    except ValidationError as error:
        raise CommandError(f"--login={login!r} is invalid: {' '.join(error.messages)}") from None
    if len(login) > User._meta.get_field("username").max_length:
        raise CommandError(f"--login={login!r} is too long: use at most 150 characters.")
    try:
        validate_password(password, user=User(username=login))
    except ValidationError as error:
        raise CommandError(f"--password is too weak: {' '.join(error.messages)}") from None
