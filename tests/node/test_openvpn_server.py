"""A real OpenVPN 2.6 server and client on 127.0.0.1, with the server calling the node helpers."""

import random
import secrets
import signal
import socket
import subprocess

import pytest

from tests.node.conftest import NODE_DIR, VPN_WAIT_SECONDS, require_vpn_tools, run_helper, stop_process, wait_for
from vpnapi.models import Session

pytestmark = pytest.mark.vpn

PASSWORD = "right-horse-battery"


def make_certificates(directory):
    """Create an EC certificate authority and a server certificate signed by it."""

    def openssl(*arguments):
        subprocess.run(["openssl", *arguments], cwd=directory, check=True, capture_output=True, timeout=30)

    openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ca.key")
    openssl("req", "-x509", "-new", "-key", "ca.key", "-subj", "/CN=Integrity test CA", "-days", "2", "-out", "ca.crt")
    openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "server.key")
    openssl("req", "-new", "-key", "server.key", "-subj", "/CN=server", "-out", "server.csr")
    (directory / "server.ext").write_text("extendedKeyUsage = serverAuth\nkeyUsage = digitalSignature\n")
    openssl(
        "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
        "-days", "2", "-extfile", "server.ext", "-out", "server.crt",
    )  # fmt: skip


def free_udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def unused_subnet():
    """Return a 10.x.y.0 /24 prefix that no route on this machine covers yet."""
    routes = subprocess.run(["ip", "route"], capture_output=True, text=True, check=True, timeout=10).stdout
    for _ in range(50):
        prefix = f"10.{random.randint(200, 250)}.{random.randint(0, 255)}"
        if f"{prefix}." not in routes:
            return prefix
    pytest.fail("found no free 10.x.y.0/24 subnet for the OpenVPN test")


class OpenvpnLab:
    """An OpenVPN server on 127.0.0.1 and the clients a test starts, all stopped by the finalizer."""

    def __init__(self, directory, node_config):
        self.directory = directory
        self.node_config = node_config
        self.port = free_udp_port()
        self.subnet = unused_subnet()
        self.suffix = secrets.token_hex(3)
        self.processes = []
        self.server_log = directory / "server.log"
        self.status_file = directory / "status.txt"

    def start_server(self):
        make_certificates(self.directory)
        auth = f"{NODE_DIR / 'openvpn_auth.py'} --config {self.node_config}"
        sessions = f"{NODE_DIR / 'openvpn_sessions.py'} --config {self.node_config}"
        (self.directory / "server.conf").write_text(
            f"""
local 127.0.0.1
port {self.port}
proto udp4
dev itgs{self.suffix}
dev-type tun
disable-dco
topology subnet
server {self.subnet}.0 255.255.255.0
ca ca.crt
cert server.crt
key server.key
dh none
verify-client-cert none
username-as-common-name
script-security 2
auth-user-pass-verify "{auth}" via-file
client-connect "{sessions}"
client-disconnect "{sessions}"
status {self.status_file} 1
status-version 2
keepalive 10 60
verb 3
"""
        )
        self.server = self._start("server.conf", self.server_log)
        wait_for(lambda: "Initialization Sequence Completed" in self.server_output(), "the OpenVPN server to start")

    def start_client(self, name, username, password):
        (self.directory / f"{name}.credentials").write_text(f"{username}\n{password}\n")
        (self.directory / f"{name}.conf").write_text(
            f"""
client
remote 127.0.0.1 {self.port}
proto udp4
dev itgc{self.suffix}{name[0]}
dev-type tun
disable-dco
nobind
ca ca.crt
auth-user-pass {name}.credentials
auth-retry none
explicit-exit-notify 1
ifconfig-noexec
route-noexec
verb 3
"""
        )
        log_path = self.directory / f"{name}.log"
        return self._start(f"{name}.conf", log_path), log_path

    def _start(self, config_name, log_path):
        with open(log_path, "w") as log_file:
            process = subprocess.Popen(
                ["openvpn", "--config", config_name],
                cwd=self.directory,
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )
        self.processes.append(process)
        return process

    def server_output(self):
        return self.server_log.read_text(errors="replace")

    def stop_all(self):
        for process in reversed(self.processes):
            stop_process(process)


@pytest.fixture
def openvpn_lab(tmp_path, node_config):
    require_vpn_tools("openvpn", "openssl", "ip")
    lab = OpenvpnLab(tmp_path, node_config)
    try:
        lab.start_server()
        yield lab
    finally:
        lab.stop_all()


def test_openvpn_right_password_opens_and_closes_session(openvpn_lab, make_user, vpn_server):
    alice = make_user("alice", password=PASSWORD)

    client, client_log = openvpn_lab.start_client("alice", "alice", PASSWORD)
    wait_for(lambda: "Initialization Sequence Completed" in client_log.read_text(), "the client to connect")
    wait_for(lambda: "reported 1 connections" in openvpn_lab.server_output(), "the client-connect report")

    session = Session.objects.get()
    assert session.user_id == alice.pk
    assert session.server_id == vpn_server.pk
    assert session.protocol == "openvpn"
    assert session.tunnel_address == f"{openvpn_lab.subnet}.2"
    assert session.ended_at is None
    assert f"accepted username 'alice' (user_id {alice.pk})" in openvpn_lab.server_output()

    # The timer's report mode reads the same connection from the status file.
    wait_for(lambda: "CLIENT_LIST,alice," in openvpn_lab.status_file.read_text(), "the status file to list alice")
    result = run_helper(
        "openvpn_sessions.py", "report", "--status", str(openvpn_lab.status_file), config=openvpn_lab.node_config
    )
    assert result.returncode == 0
    assert "reported 1 connections: 0 opened, 1 updated, 0 closed" in result.stderr
    session.refresh_from_db()
    assert session.ended_at is None
    assert session.bytes_in > 0
    assert session.bytes_out > 0

    # explicit-exit-notify notifies the server at once, so client-disconnect
    # runs within seconds instead of after the keepalive timeout.
    client.send_signal(signal.SIGTERM)
    client.wait(timeout=VPN_WAIT_SECONDS)
    wait_for(lambda: "reported 0 connections" in openvpn_lab.server_output(), "the client-disconnect report")

    session.refresh_from_db()
    assert session.ended_at is not None
    assert session.bytes_in > 0
    assert session.bytes_out > 0
    assert Session.objects.count() == 1


def test_openvpn_wrong_password_fails_auth(openvpn_lab, make_user):
    make_user("alice", password=PASSWORD)

    client, client_log = openvpn_lab.start_client("alice", "alice", "wrong-guess")
    wait_for(lambda: "AUTH_FAILED" in client_log.read_text(), "the client to see AUTH_FAILED")
    client.wait(timeout=VPN_WAIT_SECONDS)

    server_output = openvpn_lab.server_output()
    assert "rejected username 'alice': HTTP 401 invalid_credentials" in server_output
    assert "wrong-guess" not in server_output
    assert "Initialization Sequence Completed" not in client_log.read_text()
    assert Session.objects.count() == 0
