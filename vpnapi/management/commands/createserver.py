import ipaddress
import re

from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, transaction

from accounts.validators import find_control_character
from vpnapi import wireguard
from vpnapi.models import ExitAddress, VpnServer

NAME_MAX_LENGTH = VpnServer._meta.get_field("name").max_length
HOSTNAME_MAX_LENGTH = 253
_HOSTNAME_LABEL = re.compile(r"\A(?!-)[A-Za-z0-9-]{1,63}(?<!-)\Z")


def check_name(value):
    value = value.strip()
    if not value:
        raise CommandError("The server name is empty: give a name such as se-sto-1.")
    if len(value) > NAME_MAX_LENGTH:
        raise CommandError(f"The server name is {len(value)} characters long: use at most {NAME_MAX_LENGTH}.")
    if find_control_character(value) is not None:
        raise CommandError("The server name contains a control character: use printable text only.")
    return value


def check_exit_address(value):
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        raise CommandError(f"--exit-ip {value!r} is not an IP address: give one such as 203.0.113.5.") from None
    if address.version == 6 and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return str(address)


def is_hostname(value):
    if len(value) > HOSTNAME_MAX_LENGTH:
        return False
    labels = value.rstrip(".").split(".")
    return all(_HOSTNAME_LABEL.match(label) for label in labels)


def check_hostname(value):
    if not is_hostname(value):
        raise CommandError(f"--hostname {value!r} is not a host name: give one such as vpn1.example.com.")
    return value.lower()


def check_country(value):
    if not (len(value) == 2 and value.isascii() and value.isalpha()):
        raise CommandError(f"--country {value!r} is not a two-letter ISO 3166 code: give one such as SE.")
    return value.upper()


def check_endpoint(value):
    """Check a WireGuard endpoint, host:port or [IPv6]:port, and return it."""
    if value.startswith("["):
        host, bracket, port = value[1:].partition("]")
        port = port.removeprefix(":") if port.startswith(":") else None
        valid_host = bool(bracket) and _is_ipv6(host)
    else:
        host, colon, port = value.rpartition(":")
        port = port if colon else None
        valid_host = is_hostname(host) or _is_ipv4(host)
    if not valid_host or port is None or not (port.isascii() and port.isdigit() and 1 <= int(port) <= 65535):
        raise CommandError(
            f"--wireguard-endpoint {value!r} is not host:port: give one such as vpn1.example.com:51820 "
            "or [2001:db8::1]:51820, with a port from 1 to 65535."
        )
    return value


def _is_ipv4(value):
    try:
        return ipaddress.ip_address(value).version == 4
    except ValueError:
        return False


def _is_ipv6(value):
    try:
        return ipaddress.ip_address(value).version == 6
    except ValueError:
        return False


def check_public_key(value):
    error = wireguard.public_key_error(value)
    if error is not None:
        raise CommandError(f"--wireguard-public-key is not valid. {error}")
    return value


class Command(BaseCommand):
    help = "Create a VPN server with its exit addresses and print its new node key."

    def add_arguments(self, parser):
        parser.add_argument("name", help="Server name, unique, such as se-sto-1.")
        parser.add_argument(
            "--exit-ip",
            action="append",
            required=True,
            dest="exit_ips",
            metavar="IP",
            help="A public address the server's traffic leaves from; repeat for each address.",
        )
        parser.add_argument("--hostname", default="", help="The server's DNS name.")
        parser.add_argument("--country", default="", help="Two-letter ISO 3166 country code, such as SE.")
        parser.add_argument("--wireguard-endpoint", default="", help="Where WireGuard clients connect, as host:port.")
        parser.add_argument("--wireguard-public-key", default="", help="The server's WireGuard public key.")

    def handle(self, *args, name, exit_ips, hostname, country, wireguard_endpoint, wireguard_public_key, **options):
        name = check_name(name)
        addresses = [check_exit_address(value) for value in exit_ips]
        duplicates = sorted({address for address in addresses if addresses.count(address) > 1})
        if duplicates:
            raise CommandError(f"--exit-ip {', '.join(duplicates)} is given more than once: give each address once.")
        fields = {
            "hostname": check_hostname(hostname) if hostname else "",
            "country": check_country(country) if country else "",
            "wireguard_endpoint": check_endpoint(wireguard_endpoint) if wireguard_endpoint else "",
            "wireguard_public_key": check_public_key(wireguard_public_key) if wireguard_public_key else "",
        }

        if VpnServer.objects.filter(name=name).exists():
            raise CommandError(f"A server named {name!r} already exists: choose another name.")
        taken = list(ExitAddress.objects.filter(address__in=addresses).select_related("server"))
        if taken:
            owners = ", ".join(f"{exit.address} ({exit.server.name})" for exit in taken)
            raise CommandError(f"These exit addresses belong to other servers: {owners}. Remove them there first.")
        try:
            with transaction.atomic():
                server = VpnServer.objects.create(name=name, **fields)
                ExitAddress.objects.bulk_create(ExitAddress(server=server, address=address) for address in addresses)
                plaintext = server.issue_node_key()
        except IntegrityError:
            # A concurrent command took the name or an address after the checks above.
            raise CommandError(
                f"A server named {name!r} or one of the exit addresses already exists: choose another."
            ) from None

        self.stdout.write(
            f"Created VPN server {server.name} (id {server.pk}) with exit addresses {', '.join(addresses)}."
        )
        self.stdout.write("The node key is shown only now; store it on the server.")
        self.stdout.write(f"NODE-KEY: {plaintext}")
