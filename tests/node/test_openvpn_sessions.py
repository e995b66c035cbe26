import json

import openvpn_sessions
import pytest

from tests.node.conftest import closed_port, run_helper, write_config
from vpnapi.models import Session

STATUS_HEADER = (
    "HEADER,CLIENT_LIST,Common Name,Real Address,Virtual Address,Virtual IPv6 Address,Bytes Received,Bytes Sent,"
    "Connected Since,Connected Since (time_t),Username,Client ID,Peer ID,Data Channel Cipher"
)


def status_text(written_at, *rows, separator=","):
    """Return a status-version 2 file (3 with a tab separator) listing rows of (name, address, in, out, since)."""
    lines = [
        "TITLE,OpenVPN 2.6.14 x86_64-pc-linux-gnu",
        f"TIME,2026-12-04 20:32:08,{written_at}",
        STATUS_HEADER,
    ]
    for name, address, bytes_in, bytes_out, since in rows:
        lines.append(
            f"CLIENT_LIST,{name},127.0.0.1:46679,{address},,{bytes_in},{bytes_out},2026-12-04 20:32:07,{since},"
            f"{name},0,0,AES-256-GCM"
        )
    lines += [
        "HEADER,ROUTING_TABLE,Virtual Address,Common Name,Real Address,Last Ref,Last Ref (time_t)",
        "GLOBAL_STATS,Max bcast/mcast queue length,0",
        "END",
    ]
    return "\n".join(line.replace(",", separator) for line in lines) + "\n"


def openvpn_env(script_type, username, address, since, bytes_in="", bytes_out=""):
    """Return the variables OpenVPN 2.6 sets for a client-connect or client-disconnect script."""
    return {
        "script_type": script_type,
        "common_name": username,
        "ifconfig_pool_remote_ip": address,
        "trusted_ip": "198.51.100.7",
        "time_unix": str(since),
        "bytes_received": str(bytes_in),
        "bytes_sent": str(bytes_out),
    }


def connect(config, username, address, since=1000):
    return run_helper(
        "openvpn_sessions.py", "/tmp/openvpn_cc.tmp", env=openvpn_env("client-connect", username, address, since),
        config=config,
    )  # fmt: skip


def disconnect(config, username, address, since=1000, bytes_in=0, bytes_out=0):
    environment = openvpn_env("client-disconnect", username, address, since, bytes_in, bytes_out)
    return run_helper("openvpn_sessions.py", env=environment, config=config)


def open_sessions():
    return {
        (session.user.username, session.tunnel_address): (session.bytes_in, session.bytes_out)
        for session in Session.objects.filter(ended_at__isnull=True).select_related("user")
    }


@pytest.fixture
def users(make_user):
    return {name: make_user(name) for name in ("alice", "bob", "carol")}


def test_connect_opens_session(node_config, state_file, users, vpn_server):
    result = connect(node_config, "alice", "10.8.0.2")

    assert result.returncode == 0
    assert result.stderr == (
        "integrity-openvpn-sessions: INFO client-connect of 'alice' at 10.8.0.2\n"
        "integrity-openvpn-sessions: INFO reported 1 connections: 1 opened, 0 updated, 0 closed, unknown users []\n"
    )
    session = Session.objects.get()
    assert session.user_id == users["alice"].pk
    assert session.server_id == vpn_server.pk
    assert session.protocol == "openvpn"
    assert session.tunnel_address == "10.8.0.2"
    assert session.ended_at is None
    assert json.loads(state_file.read_text()) == {
        "connections": [
            {
                "username": "alice",
                "tunnel_address": "10.8.0.2",
                "connected_since": 1000,
                "bytes_in": 0,
                "bytes_out": 0,
            }
        ]
    }


def test_connect_reports_every_stored_connection(node_config, users):
    connect(node_config, "alice", "10.8.0.2")

    result = connect(node_config, "bob", "10.8.0.3")

    assert result.returncode == 0
    assert "reported 2 connections: 1 opened, 0 updated, 0 closed" in result.stderr
    assert open_sessions() == {("alice", "10.8.0.2"): (0, 0), ("bob", "10.8.0.3"): (0, 0)}


def test_disconnect_records_counters_then_closes(node_config, state_file, users):
    connect(node_config, "alice", "10.8.0.2")
    connect(node_config, "bob", "10.8.0.3")

    result = disconnect(node_config, "alice", "10.8.0.2", bytes_in=18321, bytes_out=99120)

    assert result.returncode == 0
    assert "reported 2 connections: 0 opened, 1 updated, 0 closed" in result.stderr
    assert "reported 1 connections: 0 opened, 0 updated, 1 closed" in result.stderr
    closed = Session.objects.get(user=users["alice"])
    assert closed.ended_at is not None
    assert (closed.bytes_in, closed.bytes_out) == (18321, 99120)
    assert open_sessions() == {("bob", "10.8.0.3"): (0, 0)}
    assert [entry["username"] for entry in json.loads(state_file.read_text())["connections"]] == ["bob"]


def test_late_disconnect_keeps_newer_connection(node_config, state_file, users):
    connect(node_config, "alice", "10.8.0.2", since=1000)
    connect(node_config, "alice", "10.8.0.2", since=2000)

    result = disconnect(node_config, "alice", "10.8.0.2", since=1000, bytes_in=5, bytes_out=6)

    assert result.returncode == 0
    assert open_sessions() == {("alice", "10.8.0.2"): (0, 0)}
    stored = json.loads(state_file.read_text())["connections"]
    assert [entry["connected_since"] for entry in stored] == [2000]


def test_disconnect_of_unknown_connection_reports_list(node_config, users):
    connect(node_config, "bob", "10.8.0.3")

    result = disconnect(node_config, "alice", "10.8.0.2", bytes_in=5, bytes_out=6)

    assert result.returncode == 0
    assert "reported 1 connections: 0 opened, 0 updated, 0 closed" in result.stderr
    assert Session.objects.filter(user=users["alice"]).count() == 0


def test_connect_lists_unknown_user(node_config, users):
    result = connect(node_config, "ghost", "10.8.0.9")

    assert result.returncode == 0
    assert "reported 1 connections: 0 opened, 0 updated, 0 closed, unknown users ['ghost']" in result.stderr
    assert Session.objects.count() == 0


def test_connect_exits_zero_when_api_unreachable(tmp_path, node_key, state_file, db):
    port = closed_port()
    config = write_config(tmp_path / "node.conf", f"http://127.0.0.1:{port}/", node_key, openvpn_state_file=state_file)

    result = connect(config, "alice", "10.8.0.2")

    assert result.returncode == 0
    assert "could not report 1 connections: request to" in result.stderr
    assert "Connection refused" in result.stderr
    assert node_key not in result.stderr
    assert [entry["username"] for entry in json.loads(state_file.read_text())["connections"]] == ["alice"]


def test_connect_exits_zero_without_config(tmp_path, db):
    result = connect(tmp_path / "missing.conf", "alice", "10.8.0.2")

    assert result.returncode == 0
    assert result.stderr == (
        f"integrity-openvpn-sessions: ERROR did not report the client-connect: The config file "
        f"{tmp_path / 'missing.conf'} does not exist: create it or set INTEGRITY_API_URL and INTEGRITY_NODE_KEY.\n"
    )


def test_report_closes_connection_missing_from_status(tmp_path, node_config, state_file, users):
    connect(node_config, "alice", "10.8.0.2", since=1000)
    connect(node_config, "bob", "10.8.0.3", since=1000)
    status = tmp_path / "status.txt"
    status.write_text(status_text(1500, ("bob", "10.8.0.3", 700, 900, 1000)))

    result = run_helper("openvpn_sessions.py", "report", "--status", str(status), config=node_config)

    assert result.returncode == 0
    assert result.stderr == (
        "integrity-openvpn-sessions: INFO reported 1 connections: 0 opened, 1 updated, 1 closed, unknown users []\n"
    )
    assert open_sessions() == {("bob", "10.8.0.3"): (700, 900)}
    assert [entry["username"] for entry in json.loads(state_file.read_text())["connections"]] == ["bob"]


def test_report_keeps_connection_newer_than_status(tmp_path, node_config, users):
    connect(node_config, "carol", "10.8.0.4", since=2000)
    status = tmp_path / "status.txt"
    status.write_text(status_text(1500, ("bob", "10.8.0.3", 700, 900, 1000)))

    result = run_helper("openvpn_sessions.py", "report", "--status", str(status), config=node_config)

    assert result.returncode == 0
    assert open_sessions() == {("bob", "10.8.0.3"): (700, 900), ("carol", "10.8.0.4"): (0, 0)}


def test_report_merges_several_status_files(tmp_path, node_config, users):
    udp = tmp_path / "udp.txt"
    udp.write_text(status_text(1500, ("alice", "10.8.0.2", 1, 2, 1000)))
    tcp = tmp_path / "tcp.txt"
    tcp.write_text(status_text(1500, ("bob", "10.9.0.2", 3, 4, 1000), separator="\t"))

    result = run_helper("openvpn_sessions.py", "report", "--status", str(udp), "--status", str(tcp), config=node_config)

    assert result.returncode == 0
    assert open_sessions() == {("alice", "10.8.0.2"): (1, 2), ("bob", "10.9.0.2"): (3, 4)}


def test_report_rejects_status_version_1(tmp_path, node_config, users):
    connect(node_config, "alice", "10.8.0.2")
    status = tmp_path / "status.txt"
    status.write_text(
        "OpenVPN CLIENT LIST\nUpdated,2026-12-04 20:32:08\n"
        "Common Name,Real Address,Bytes Received,Bytes Sent,Connected Since\n"
        "alice,127.0.0.1:46679,958,1880,2026-12-04 20:32:07\nROUTING TABLE\nGLOBAL STATS\nEND\n"
    )

    result = run_helper("openvpn_sessions.py", "report", "--status", str(status), config=node_config)

    assert result.returncode == 1
    assert result.stderr == (
        f"integrity-openvpn-sessions: ERROR did not report: the status file {status} is unusable: it has no "
        "HEADER,CLIENT_LIST line: set status-version 2 or 3 in the server config\n"
    )
    assert open_sessions() == {("alice", "10.8.0.2"): (0, 0)}


def test_report_needs_status_file(node_config):
    result = run_helper("openvpn_sessions.py", "report", config=node_config)

    assert result.returncode == 2
    assert "report needs at least one --status FILE" in result.stderr


def test_parse_status_reads_version_2_and_3():
    rows = [("alice", "10.8.0.2", 958, 1880, 1796416327), ("UNDEF", "", 10, 20, 1796416328)]
    expected = [
        {
            "username": "alice",
            "tunnel_address": "10.8.0.2",
            "connected_since": 1796416327,
            "bytes_in": 958,
            "bytes_out": 1880,
        }
    ]

    assert openvpn_sessions.parse_status(status_text(1796416330, *rows)) == (1796416330, expected)
    assert openvpn_sessions.parse_status(status_text(1796416330, *rows, separator="\t")) == (1796416330, expected)


def test_parse_status_rejects_file_cut_short():
    text = status_text(1500, ("alice", "10.8.0.2", 1, 2, 1000)).replace("END\n", "")

    with pytest.raises(openvpn_sessions.StatusFileError, match="does not end with END"):
        openvpn_sessions.parse_status(text)


def test_rebuild_fills_address_of_connecting_client():
    stored = {"username": "alice", "tunnel_address": "10.8.0.2", "connected_since": 1000, "bytes_in": 0, "bytes_out": 0}
    state = {openvpn_sessions.connection_key("alice", "10.8.0.2"): stored}
    listed = [
        {"username": "alice", "tunnel_address": None, "connected_since": 1000, "bytes_in": 5, "bytes_out": 6},
        {"username": "bob", "tunnel_address": None, "connected_since": 1001, "bytes_in": 7, "bytes_out": 8},
    ]

    rebuilt = openvpn_sessions.rebuild_state(state, [(900, listed)])

    assert list(rebuilt.values()) == [{**listed[0], "tunnel_address": "10.8.0.2"}]


def test_build_report_sends_one_entry_per_name_and_address():
    state = {}
    for name, since in (("alice", 1000), ("ALICE", 2000)):
        openvpn_sessions.add_connection(
            state,
            {"username": name, "tunnel_address": "10.8.0.2", "connected_since": since, "bytes_in": 1, "bytes_out": 2},
        )
    openvpn_sessions.add_connection(
        state, {"username": "bob", "tunnel_address": None, "connected_since": 1500, "bytes_in": 3, "bytes_out": 4}
    )

    assert openvpn_sessions.build_report(state) == [
        {"username": "ALICE", "protocol": "openvpn", "bytes_in": 1, "bytes_out": 2, "tunnel_address": "10.8.0.2"},
        {"username": "bob", "protocol": "openvpn", "bytes_in": 3, "bytes_out": 4},
    ]


def test_connection_uses_ipv6_pool_address_alone():
    environ = openvpn_env("client-connect", "alice", "", 1000)
    environ["ifconfig_pool_remote_ip6"] = "fd00:8::1000"

    connection = openvpn_sessions.connection_from_env(environ)

    assert connection["tunnel_address"] == "fd00:8::1000"
