import pytest
import wireguard_sync

ALICE = "qPTi/SUqY36cEimdbRraqp4PJcrLIPiKtovaEUPPEFY="
BOB = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg="
CAROL = "HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw="

DUMP = (
    "cGVlci1wcml2YXRlLWtleS1ub3QtcmVhbC0wMDAwMDA9\tc2VydmVyLXB1YmxpYy1rZXktbm90LXJlYWwtMDAwMDA9\t51820\toff\n"
    f"{ALICE}\t(none)\t172.31.255.2:41234\t10.64.0.2/32,fc00:bbbb:bbbb:bb01::2/128\t1000\t1480\t2960\t25\n"
    f"{BOB}\t(none)\t(none)\t(none)\t0\t0\t0\toff\n"
)


def test_parse_dump_reads_peers():
    peers = wireguard_sync.parse_dump(DUMP)

    assert peers == {
        ALICE: wireguard_sync.InterfacePeer(
            public_key=ALICE,
            allowed_ips=frozenset({"10.64.0.2/32", "fc00:bbbb:bbbb:bb01::2/128"}),
            latest_handshake=1000,
            bytes_received=1480,
            bytes_sent=2960,
        ),
        BOB: wireguard_sync.InterfacePeer(
            public_key=BOB, allowed_ips=frozenset(), latest_handshake=0, bytes_received=0, bytes_sent=0
        ),
    }


def test_parse_dump_rejects_short_line():
    with pytest.raises(wireguard_sync.WireguardError, match="with 3 fields instead of 8"):
        wireguard_sync.parse_dump("interface line\na\tb\tc\n")


def test_plan_changes_adds_updates_and_removes():
    current = {
        ALICE: frozenset({"10.64.0.2/32"}),
        BOB: frozenset({"10.64.0.3/32"}),
        CAROL: frozenset({"10.64.0.4/32"}),
    }
    desired = {
        ALICE: frozenset({"10.64.0.2/32"}),
        BOB: frozenset({"10.64.0.3/32", "fc00::3/128"}),
        "new/key": frozenset({"10.64.0.5/32"}),
    }

    to_set, to_remove = wireguard_sync.plan_changes(current, desired)

    assert to_set == [("new/key", ["10.64.0.5/32"]), (BOB, ["10.64.0.3/32", "fc00::3/128"])]
    assert to_remove == [CAROL]


def test_plan_changes_nothing_when_equal():
    peers = {ALICE: frozenset({"10.64.0.2/32"})}

    assert wireguard_sync.plan_changes(peers, dict(peers)) == ([], [])


def test_wg_set_commands_batch_peers():
    to_set = [(f"key{number}", ["10.64.0.2/32"]) for number in range(wireguard_sync.PEERS_PER_COMMAND)]

    commands = wireguard_sync.wg_set_commands("wg0", to_set, ["gone"])

    assert len(commands) == 2
    assert commands[0][:6] == ["set", "wg0", "peer", "key0", "allowed-ips", "10.64.0.2/32"]
    assert len(commands[0]) == 2 + 4 * wireguard_sync.PEERS_PER_COMMAND
    assert commands[1] == ["set", "wg0", "peer", "gone", "remove"]


def test_parse_peer_list_normalizes_addresses():
    body = {
        "success": "ok",
        "peers": [{"public_key": ALICE, "allowed_ips": ["10.64.0.2", "FC00::2/128"], "user_id": 1}],
    }

    assert wireguard_sync.parse_peer_list(body) == {ALICE: frozenset({"10.64.0.2/32", "fc00::2/128"})}


@pytest.mark.parametrize(
    ("peer", "message"),
    [
        ({"public_key": "remove", "allowed_ips": []}, "'remove' is not a WireGuard public key"),
        ({"public_key": ALICE[:-2] + "==", "allowed_ips": []}, "is not a WireGuard public key"),
        ({"public_key": ALICE, "allowed_ips": "10.64.0.2/32"}, "are not a list of strings"),
        ({"public_key": ALICE, "allowed_ips": ["10.64.0.300/32"]}, "has an invalid allowed IP"),
    ],
)
def test_parse_peer_list_rejects_bad_peer(peer, message):
    with pytest.raises(wireguard_sync.PeerListError, match=message):
        wireguard_sync.parse_peer_list({"peers": [peer]})


def test_build_report_lists_recent_handshakes_only():
    peers = wireguard_sync.parse_dump(DUMP + f"{CAROL}\t(none)\t(none)\tfc00::4/128\t800\t10\t20\toff\n")

    assert wireguard_sync.build_report(peers, now=1180) == [
        {"pubkey": ALICE, "protocol": "wireguard", "bytes_in": 1480, "bytes_out": 2960, "tunnel_address": "10.64.0.2"},
    ]
    assert wireguard_sync.build_report(peers, now=1000, window=200) == [
        {"pubkey": CAROL, "protocol": "wireguard", "bytes_in": 10, "bytes_out": 20, "tunnel_address": "fc00::4"},
        {"pubkey": ALICE, "protocol": "wireguard", "bytes_in": 1480, "bytes_out": 2960, "tunnel_address": "10.64.0.2"},
    ]
    assert wireguard_sync.build_report(peers, now=1181) == []
