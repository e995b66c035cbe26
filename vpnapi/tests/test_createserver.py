import base64
import os
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts import keys
from vpnapi.models import ExitAddress, VpnServer

PUBLIC_KEY = base64.b64encode(os.urandom(32)).decode()


def run(*args):
    output = StringIO()
    call_command("createserver", *args, stdout=output)
    return output.getvalue()


def test_creates_server_and_prints_node_key(db):
    output = run(
        "se-sto-1",
        "--exit-ip",
        "203.0.113.5",
        "--exit-ip",
        "2001:db8::5",
        "--hostname",
        "VPN1.example.com",
        "--country",
        "se",
        "--wireguard-endpoint",
        "vpn1.example.com:51820",
        "--wireguard-public-key",
        PUBLIC_KEY,
    )

    server = VpnServer.objects.get()
    node_key = [line for line in output.splitlines() if line.startswith("NODE-KEY: ")][0].removeprefix("NODE-KEY: ")
    assert server.name == "se-sto-1"
    assert server.hostname == "vpn1.example.com"
    assert server.country == "SE"
    assert server.wireguard_endpoint == "vpn1.example.com:51820"
    assert server.wireguard_public_key == PUBLIC_KEY
    assert sorted(server.exit_addresses.values_list("address", flat=True)) == ["2001:db8::5", "203.0.113.5"]
    assert node_key.startswith("itg_node_")
    assert server.node_key_digest == keys.digest_key(node_key)
    assert server.node_key_prefix == node_key[:15]


def test_minimal_server(db):
    run("nl-ams-1", "--exit-ip", "198.51.100.1")

    server = VpnServer.objects.get()
    assert server.hostname == ""
    assert server.country == ""
    assert list(server.exit_addresses.values_list("address", flat=True)) == ["198.51.100.1"]


def test_ipv6_endpoint_in_brackets(db):
    run("v6", "--exit-ip", "198.51.100.1", "--wireguard-endpoint", "[2001:db8::1]:51820")

    assert VpnServer.objects.get().wireguard_endpoint == "[2001:db8::1]:51820"


def test_mapped_exit_address_is_stored_as_ipv4(db):
    run("mapped", "--exit-ip", "::ffff:198.51.100.1")

    assert ExitAddress.objects.get().address == "198.51.100.1"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["x", "--exit-ip", "300.1.1.1"], "--exit-ip '300.1.1.1' is not an IP address: give one such as 203.0.113.5."),
        (
            ["x", "--exit-ip", "1.1.1.1", "--exit-ip", "1.1.1.1"],
            "--exit-ip 1.1.1.1 is given more than once: give each address once.",
        ),
        (["  ", "--exit-ip", "1.1.1.1"], "The server name is empty: give a name such as se-sto-1."),
        (["a" * 101, "--exit-ip", "1.1.1.1"], "The server name is 101 characters long: use at most 100."),
        (
            ["bad\x07name", "--exit-ip", "1.1.1.1"],
            "The server name contains a control character: use printable text only.",
        ),
        (
            ["x", "--exit-ip", "1.1.1.1", "--hostname", "bad_host"],
            "--hostname 'bad_host' is not a host name: give one such as vpn1.example.com.",
        ),
        (
            ["x", "--exit-ip", "1.1.1.1", "--country", "SWE"],
            "--country 'SWE' is not a two-letter ISO 3166 code: give one such as SE.",
        ),
        (
            ["x", "--exit-ip", "1.1.1.1", "--wireguard-public-key", "short"],
            "--wireguard-public-key is not valid. A WireGuard public key is 44 characters of standard base64, "
            "not 5: send the output of `wg pubkey`.",
        ),
    ],
)
def test_invalid_argument_is_rejected(db, args, message):
    with pytest.raises(CommandError) as error:
        run(*args)

    assert str(error.value) == message
    assert VpnServer.objects.count() == 0


@pytest.mark.parametrize(
    "endpoint",
    ["vpn1.example.com", "vpn1.example.com:0", "vpn1.example.com:70000", "[2001:db8::1]", "[nope]:1", ":51820"],
)
def test_invalid_endpoint_is_rejected(db, endpoint):
    with pytest.raises(CommandError) as error:
        run("x", "--exit-ip", "1.1.1.1", "--wireguard-endpoint", endpoint)

    assert str(error.value).startswith(f"--wireguard-endpoint {endpoint!r} is not host:port")
    assert VpnServer.objects.count() == 0


def test_missing_exit_ip_is_rejected(db):
    with pytest.raises(CommandError) as error:
        run("x")

    assert "--exit-ip" in str(error.value)
    assert VpnServer.objects.count() == 0


def test_taken_name_is_rejected(db):
    run("se-sto-1", "--exit-ip", "1.1.1.1")

    with pytest.raises(CommandError) as error:
        run("se-sto-1", "--exit-ip", "2.2.2.2")

    assert str(error.value) == "A server named 'se-sto-1' already exists: choose another name."
    assert VpnServer.objects.count() == 1


def test_exit_address_of_another_server_is_rejected(db):
    run("se-sto-1", "--exit-ip", "1.1.1.1")

    with pytest.raises(CommandError) as error:
        run("se-sto-2", "--exit-ip", "1.1.1.1")

    assert (
        str(error.value) == "These exit addresses belong to other servers: 1.1.1.1 (se-sto-1). Remove them there first."
    )
    assert VpnServer.objects.count() == 1
