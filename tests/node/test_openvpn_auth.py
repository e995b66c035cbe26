import http.server
import json
import socket
import threading

import pytest

from tests.node.conftest import closed_port, run_helper, write_config

PASSWORD = "right-horse-battery"


@pytest.fixture
def alice(make_user):
    return make_user("alice", password=PASSWORD)


def credentials_file(tmp_path, username, password):
    path = tmp_path / "credentials"
    path.write_text(f"{username}\n{password}\n")
    return path


def test_auth_accepts_right_password(tmp_path, node_config, alice):
    result = run_helper("openvpn_auth.py", str(credentials_file(tmp_path, "alice", PASSWORD)), config=node_config)

    assert result.returncode == 0
    assert result.stderr == f"integrity-openvpn-auth: INFO accepted username 'alice' (user_id {alice.pk})\n"


def test_auth_accepts_username_in_other_case(tmp_path, node_config, alice):
    result = run_helper("openvpn_auth.py", str(credentials_file(tmp_path, "ALICE", PASSWORD)), config=node_config)

    assert result.returncode == 0


def test_auth_rejects_wrong_password(tmp_path, node_config, alice):
    result = run_helper("openvpn_auth.py", str(credentials_file(tmp_path, "alice", "wrong-guess")), config=node_config)

    assert result.returncode == 1
    assert result.stderr == "integrity-openvpn-auth: WARNING rejected username 'alice': HTTP 401 invalid_credentials\n"
    assert "wrong-guess" not in result.stderr


def test_auth_rejects_unknown_user(tmp_path, node_config, db):
    result = run_helper("openvpn_auth.py", str(credentials_file(tmp_path, "nobody", PASSWORD)), config=node_config)

    assert result.returncode == 1
    assert "HTTP 401 invalid_credentials" in result.stderr


def test_auth_rejects_disabled_user(tmp_path, node_config, make_user):
    make_user("sleepy", password=PASSWORD, enable=False)

    result = run_helper("openvpn_auth.py", str(credentials_file(tmp_path, "sleepy", PASSWORD)), config=node_config)

    assert result.returncode == 1
    assert result.stderr == "integrity-openvpn-auth: WARNING rejected username 'sleepy': HTTP 403 user_disabled\n"


def test_auth_checks_every_resellers_users(tmp_path, node_config, make_user, other_reseller):
    make_user("outsider", password=PASSWORD, owner=other_reseller)

    result = run_helper("openvpn_auth.py", str(credentials_file(tmp_path, "outsider", PASSWORD)), config=node_config)

    assert result.returncode == 0


def test_auth_rejects_when_throttled(tmp_path, node_config, alice, settings):
    settings.AUTH_FAILURES_PER_MINUTE = 1
    settings.AUTH_FAILURES_PER_HOUR = 1
    # The limits count in fixed windows, so a pair of attempts that straddles
    # an hour boundary is not throttled; the second pair cannot straddle one.
    for _ in range(2):
        run_helper("openvpn_auth.py", str(credentials_file(tmp_path, "alice", "wrong-guess")), config=node_config)
        result = run_helper("openvpn_auth.py", str(credentials_file(tmp_path, "alice", PASSWORD)), config=node_config)
        if result.returncode != 0:
            break

    assert result.returncode == 1
    assert result.stderr.startswith("integrity-openvpn-auth: ERROR rejected username 'alice': HTTP 429 rate_limited: ")


def test_auth_rejects_with_replaced_node_key(tmp_path, node_config, vpn_server, alice):
    vpn_server.issue_node_key()

    result = run_helper("openvpn_auth.py", str(credentials_file(tmp_path, "alice", PASSWORD)), config=node_config)

    assert result.returncode == 1
    assert result.stderr == (
        "integrity-openvpn-auth: ERROR rejected username 'alice': HTTP 401 unauthorized: "
        "The API key is not valid: check the API-KEY header.\n"
    )


def test_auth_rejects_disabled_server(tmp_path, node_config, vpn_server, alice):
    vpn_server.enabled = False
    vpn_server.save(update_fields=["enabled"])

    result = run_helper("openvpn_auth.py", str(credentials_file(tmp_path, "alice", PASSWORD)), config=node_config)

    assert result.returncode == 1
    assert result.stderr == (
        "integrity-openvpn-auth: ERROR rejected username 'alice': HTTP 403 forbidden: "
        "This VPN server is disabled: enable it in the admin.\n"
    )


def test_auth_reads_via_env_variables(node_config, alice):
    result = run_helper("openvpn_auth.py", env={"username": "alice", "password": PASSWORD}, config=node_config)

    assert result.returncode == 0
    assert PASSWORD not in result.stderr


def test_auth_rejects_empty_password_without_request(tmp_path, node_key, alice):
    config = write_config(tmp_path / "node.conf", f"http://127.0.0.1:{closed_port()}/", node_key)

    result = run_helper("openvpn_auth.py", str(credentials_file(tmp_path, "alice", "")), config=config)

    assert result.returncode == 1
    assert result.stderr == (
        "integrity-openvpn-auth: INFO rejected username 'alice': the username or password is empty\n"
    )


def test_auth_rejects_missing_credentials_file(tmp_path, node_config):
    result = run_helper("openvpn_auth.py", str(tmp_path / "missing"), config=node_config)

    assert result.returncode == 1
    assert "cannot read" in result.stderr


def test_auth_rejects_when_port_closed(tmp_path, node_key, db):
    config = write_config(tmp_path / "node.conf", f"http://127.0.0.1:{closed_port()}/", node_key, timeout=2)

    result = run_helper("openvpn_auth.py", str(credentials_file(tmp_path, "alice", PASSWORD)), config=config)

    assert result.returncode == 1
    assert "Connection refused" in result.stderr
    assert PASSWORD not in result.stderr


def test_auth_rejects_when_server_never_answers(tmp_path, node_key, db):
    # The kernel completes the TCP handshake into the backlog, but nothing
    # ever reads the request, so only the helper's timeout ends the wait.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/"
        config = write_config(tmp_path / "node.conf", url, node_key, timeout=1)

        result = run_helper("openvpn_auth.py", str(credentials_file(tmp_path, "alice", PASSWORD)), config=config)

    assert result.returncode == 1
    assert "timed out" in result.stderr


class FixedStatusHandler(http.server.BaseHTTPRequestHandler):
    """Send one status for every request, except to /accept, which accepts any login."""

    status = 500

    def do_POST(self):
        if self.path == "/accept":
            body = json.dumps({"success": "ok", "user_id": 1}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
        else:
            body = b"<h1>Server Error</h1>"
            self.send_response(self.status)
            self.send_header("Content-Type", "text/html")
            self.send_header("Location", f"http://127.0.0.1:{self.server.server_port}/accept")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST

    def log_message(self, format, *args):
        pass


@pytest.mark.parametrize("status", [500, 502, 302, 307, 200])
def test_auth_rejects_answers_not_from_api(tmp_path, node_key, db, status):
    handler = type("Handler", (FixedStatusHandler,), {"status": status})
    server = http.server.HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        config = write_config(tmp_path / "node.conf", f"http://127.0.0.1:{server.server_port}/", node_key)
        result = run_helper("openvpn_auth.py", str(credentials_file(tmp_path, "alice", PASSWORD)), config=config)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

    assert result.returncode == 1
    if status == 200:
        assert result.stderr == (
            "integrity-openvpn-auth: ERROR rejected username 'alice': HTTP 200 without the API's success body\n"
        )
    else:
        assert result.stderr == (
            f"integrity-openvpn-auth: ERROR rejected username 'alice': "
            f"HTTP {status} without the API's JSON error body\n"
        )
