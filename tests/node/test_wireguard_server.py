"""wireguard-go interfaces in network namespaces that the tests create, synced by the node helper."""

import base64
import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.node.conftest import (
    NODE_DIR,
    VPN_WAIT_SECONDS,
    closed_port,
    require_vpn_tools,
    run_helper,
    stop_process,
    wait_for,
    write_config,
)
from vpnapi.models import Session, WireguardKey

pytestmark = pytest.mark.vpn

SOCKET_DIR = Path("/var/run/wireguard")
SERVER_PORT = 51820
# Only inside the test's own namespaces, joined by a veth pair.
SERVER_LINK_ADDRESS = "172.31.255.1"
CLIENT_LINK_ADDRESS = "172.31.255.2"


def run(*command):
    return subprocess.run(command, capture_output=True, text=True, check=True, timeout=VPN_WAIT_SECONDS).stdout


def generate_keys():
    """Return (private key, public key) made by wg."""
    private_key = run("wg", "genkey").strip()
    public_key = subprocess.run(
        ["wg", "pubkey"], input=private_key, capture_output=True, text=True, check=True, timeout=10
    ).stdout.strip()
    return private_key, public_key


def random_public_key():
    return base64.b64encode(os.urandom(32)).decode()


class WireguardLab:
    """Two namespaces joined by a veth pair, each with a wireguard-go interface; stop() removes all of it."""

    def __init__(self, directory):
        suffix = secrets.token_hex(3)
        self.directory = directory
        self.server_namespace = f"integrity-test-{suffix}s"
        self.client_namespace = f"integrity-test-{suffix}c"
        self.server_interface = f"itgws{suffix}"
        self.client_interface = f"itgwc{suffix}"
        self.namespaces = []
        self.processes = []

    def start(self):
        for namespace in (self.server_namespace, self.client_namespace):
            run("ip", "netns", "add", namespace)
            self.namespaces.append(namespace)
            run("ip", "-n", namespace, "link", "set", "lo", "up")
        server_link, client_link = f"{self.server_interface}v", f"{self.client_interface}v"
        run(
            "ip", "link", "add", server_link, "netns", self.server_namespace, "type", "veth",
            "peer", "name", client_link, "netns", self.client_namespace,
        )  # fmt: skip
        for namespace, link, address in (
            (self.server_namespace, server_link, SERVER_LINK_ADDRESS),
            (self.client_namespace, client_link, CLIENT_LINK_ADDRESS),
        ):
            run("ip", "-n", namespace, "addr", "add", f"{address}/30", "dev", link)
            run("ip", "-n", namespace, "link", "set", link, "up")

        self.server_private_key, self.server_public_key = generate_keys()
        self.client_private_key, self.client_public_key = generate_keys()
        self._start_interface(self.server_namespace, self.server_interface, self.server_private_key, SERVER_PORT)
        self._start_interface(self.client_namespace, self.client_interface, self.client_private_key, None)

    def _start_interface(self, namespace, interface, private_key, port):
        with open(self.directory / f"{interface}.log", "w") as log_file:
            # `ip netns exec` execs wireguard-go, so the PID is wireguard-go's.
            process = subprocess.Popen(
                ["ip", "netns", "exec", namespace, "wireguard-go", "-f", interface],
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )
        self.processes.append(process)
        wait_for(lambda: (SOCKET_DIR / f"{interface}.sock").exists(), f"wireguard-go to create {interface}")
        key_file = self.directory / f"{interface}.key"
        key_file.write_text(private_key + "\n")
        key_file.chmod(0o600)
        arguments = ["wg", "set", interface, "private-key", str(key_file)]
        if port:
            arguments += ["listen-port", str(port)]
        run(*arguments)
        run("ip", "-n", namespace, "link", "set", interface, "up")

    def server_peers(self):
        """Return {public key: set of allowed IPs} of the server interface, as wg shows them."""
        lines = run("wg", "show", self.server_interface, "allowed-ips").splitlines()
        peers = {}
        for line in lines:
            public_key, _, allowed_ips = line.partition("\t")
            peers[public_key] = set(allowed_ips.split()) - {"(none)"}
        return peers

    def stop(self):
        for process in reversed(self.processes):
            stop_process(process)
        for namespace in reversed(self.namespaces):
            subprocess.run(["ip", "netns", "delete", namespace], capture_output=True, timeout=VPN_WAIT_SECONDS)


@pytest.fixture
def wireguard_lab(tmp_path):
    require_vpn_tools("wg", "wireguard-go", "ip")
    lab = WireguardLab(tmp_path)
    try:
        lab.start()
        yield lab
    finally:
        lab.stop()


def add_key(user, public_key, number):
    return WireguardKey.objects.create(
        user=user,
        public_key=public_key,
        ipv4_address=f"10.64.0.{number}",
        ipv6_address=f"fc00:bbbb:bbbb:bb01::{number}",
    )


def allowed_ips(key):
    return {f"{key.ipv4_address}/32", f"{key.ipv6_address}/128"}


def sync(lab, config):
    return run_helper("wireguard_sync.py", "--interface", lab.server_interface, config=config)


def test_wireguard_sync_applies_peers_and_removes_disabled(wireguard_lab, node_config, make_user):
    alice, bob = make_user("alice"), make_user("bob")
    alice_key = add_key(alice, random_public_key(), 2)
    bob_key = add_key(bob, random_public_key(), 3)
    stray_key = random_public_key()
    run("wg", "set", wireguard_lab.server_interface, "peer", stray_key, "allowed-ips", "10.64.0.99/32")

    result = sync(wireguard_lab, node_config)

    assert result.returncode == 0
    assert f"synced {wireguard_lab.server_interface}: 2 peers, 2 added or updated, 1 removed" in result.stderr
    assert wireguard_lab.server_peers() == {
        alice_key.public_key: allowed_ips(alice_key),
        bob_key.public_key: allowed_ips(bob_key),
    }

    alice.apply_changes({"enable": False})
    result = sync(wireguard_lab, node_config)

    assert result.returncode == 0
    assert f"synced {wireguard_lab.server_interface}: 1 peers, 0 added or updated, 1 removed" in result.stderr
    assert wireguard_lab.server_peers() == {bob_key.public_key: allowed_ips(bob_key)}


def test_wireguard_sync_reports_connected_peer(wireguard_lab, node_config, make_user, vpn_server):
    alice = make_user("alice")
    add_key(alice, wireguard_lab.client_public_key, 2)
    assert sync(wireguard_lab, node_config).returncode == 0

    # The keepalive makes the client start a handshake at once.
    run(
        "wg", "set", wireguard_lab.client_interface, "peer", wireguard_lab.server_public_key,
        "endpoint", f"{SERVER_LINK_ADDRESS}:{SERVER_PORT}", "allowed-ips", "10.64.0.1/32", "persistent-keepalive", "1",
    )  # fmt: skip
    wait_for(
        lambda: run("wg", "show", wireguard_lab.server_interface, "latest-handshakes").split()[1:] != ["0"],
        "the WireGuard handshake",
    )
    result = sync(wireguard_lab, node_config)

    assert result.returncode == 0
    assert "reported 1 connected peers: 1 opened, 0 updated, 0 closed, 0 unknown" in result.stderr
    session = Session.objects.get()
    assert session.user_id == alice.pk
    assert session.server_id == vpn_server.pk
    assert session.protocol == "wireguard"
    assert session.tunnel_address == "10.64.0.2"
    assert session.bytes_in > 0
    assert session.ended_at is None

    alice.apply_changes({"enable": False})
    result = sync(wireguard_lab, node_config)

    assert result.returncode == 0
    assert "reported 0 connected peers: 0 opened, 0 updated, 1 closed, 0 unknown" in result.stderr
    assert wireguard_lab.server_peers() == {}
    session.refresh_from_db()
    assert session.ended_at is not None


def test_wireguard_sync_interval_stops_on_sigterm(wireguard_lab, node_config, make_user, tmp_path):
    add_key(make_user("alice"), random_public_key(), 2)
    log_path = tmp_path / "sync.log"
    environment = {"PATH": os.environ["PATH"], "INTEGRITY_NODE_CONFIG": str(node_config)}
    with open(log_path, "w") as log_file:
        process = subprocess.Popen(
            [
                sys.executable, str(NODE_DIR / "wireguard_sync.py"),
                "--interface", wireguard_lab.server_interface, "--interval", "1",
            ],
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        wait_for(lambda: log_path.read_text().count("reported 0 connected peers") >= 2, "two sync runs")
        process.send_signal(signal.SIGTERM)
        returncode = process.wait(timeout=VPN_WAIT_SECONDS)
    finally:
        stop_process(process)

    assert returncode == 0
    assert "stopping on signal SIGTERM" in log_path.read_text()
    assert len(wireguard_lab.server_peers()) == 1


def test_wireguard_sync_keeps_peers_when_api_unreachable(wireguard_lab, tmp_path, node_key):
    kept_key = random_public_key()
    run("wg", "set", wireguard_lab.server_interface, "peer", kept_key, "allowed-ips", "10.64.0.2/32")
    config = write_config(tmp_path / "unreachable.conf", f"http://127.0.0.1:{closed_port()}/", node_key)

    result = sync(wireguard_lab, config)

    assert result.returncode == 1
    assert f"left {wireguard_lab.server_interface} unchanged: fetching the peer list failed" in result.stderr
    assert wireguard_lab.server_peers() == {kept_key: {"10.64.0.2/32"}}


def test_wireguard_sync_fails_on_missing_interface(node_config, make_user):
    require_vpn_tools("wg")
    add_key(make_user("alice"), random_public_key(), 2)

    result = run_helper("wireguard_sync.py", "--interface", "itgmissing0", config=node_config)

    assert result.returncode == 1
    assert "could not sync itgmissing0: wg show itgmissing0 exited with 1: Unable to access interface" in result.stderr
    assert Session.objects.count() == 0
