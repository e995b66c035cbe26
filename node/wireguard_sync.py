#!/usr/bin/env python3
"""Keep a WireGuard interface's peers equal to the Integrity API's list and report who is connected.

Each run fetches GET /1.0/Node/Peers, adds or updates the listed peers with
`wg set IFACE peer KEY allowed-ips ...`, removes every other peer of the
interface with `wg set IFACE peer KEY remove`, then reads
`wg show IFACE dump` and POSTs the connected peers to /1.0/Node/Sessions.
The interface belongs to this program: a peer added by hand is removed on
the next run. When the peer list cannot be fetched, the interface is left
as it is.

Run it once from a systemd timer, or with --interval to repeat until
SIGTERM or SIGINT. A single run exits 1 when any step failed.
"""

import argparse
import base64
import binascii
import ipaddress
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass

import integrity_node

PROGRAM = "integrity-wireguard-sync"
log = integrity_node.logger

# A WireGuard peer that sends packets starts a new handshake every 2 minutes
# (REKEY_AFTER_TIME) and may use a session key for at most 3 minutes
# (REJECT_AFTER_TIME), so a peer with no handshake for 3 minutes has stopped
# sending.
DEFAULT_HANDSHAKE_WINDOW = 180
# Peers per `wg set` call, to stay far below the kernel's argument length limit.
PEERS_PER_COMMAND = 200
WG_TIMEOUT = 30


class WireguardError(Exception):
    """A wg command that failed or printed output this program cannot read."""


class PeerListError(Exception):
    """A peer list from the API that this program cannot apply."""


@dataclass(frozen=True)
class InterfacePeer:
    public_key: str
    allowed_ips: frozenset
    latest_handshake: int
    bytes_received: int
    bytes_sent: int


def normalize_allowed_ips(values):
    """Return the networks in a canonical text form, so "10.0.0.1/32" and "10.0.0.1" compare equal."""
    return frozenset(str(ipaddress.ip_network(value.strip(), strict=False)) for value in values if value.strip())


def is_public_key(value):
    """Tell whether value is a WireGuard public key: standard base64 of exactly 32 bytes."""
    if not isinstance(value, str) or len(value) != 44:
        return False
    try:
        return len(base64.b64decode(value, validate=True)) == 32
    except (binascii.Error, ValueError):
        return False


def parse_peer_list(body):
    """Return {public key: allowed IPs} from a /1.0/Node/Peers response; raise PeerListError if it is malformed."""
    if not isinstance(body, dict) or not isinstance(body.get("peers"), list):
        raise PeerListError("the response has no peers list")
    desired = {}
    for peer in body["peers"]:
        public_key = peer.get("public_key") if isinstance(peer, dict) else None
        allowed_ips = peer.get("allowed_ips") if isinstance(peer, dict) else None
        if not is_public_key(public_key):
            raise PeerListError(f"{public_key!r} is not a WireGuard public key")
        if not isinstance(allowed_ips, list) or not all(isinstance(value, str) for value in allowed_ips):
            raise PeerListError(f"the allowed_ips of peer {public_key} are not a list of strings")
        try:
            desired[public_key] = normalize_allowed_ips(allowed_ips)
        except ValueError as error:
            raise PeerListError(f"peer {public_key} has an invalid allowed IP: {error}") from None
    return desired


def parse_dump(text):
    """Return {public key: InterfacePeer} from the output of `wg show IFACE dump`.

    The first line describes the interface itself. Each further line is a
    peer: public key, preshared key, endpoint, allowed IPs, latest
    handshake (Unix time, 0 for never), bytes received, bytes sent,
    persistent keepalive, separated by tabs.
    """
    peers = {}
    for line in text.splitlines()[1:]:
        fields = line.split("\t")
        if len(fields) != 8:
            raise WireguardError(f"wg show dump printed a peer line with {len(fields)} fields instead of 8")
        public_key, _, _, allowed_ips, handshake, received, sent, _ = fields
        networks = [] if allowed_ips == "(none)" else allowed_ips.split(",")
        try:
            peers[public_key] = InterfacePeer(
                public_key=public_key,
                allowed_ips=normalize_allowed_ips(networks),
                latest_handshake=int(handshake),
                bytes_received=int(received),
                bytes_sent=int(sent),
            )
        except ValueError as error:
            raise WireguardError(f"wg show dump printed an unreadable line for peer {public_key}: {error}") from None
    return peers


def plan_changes(current, desired):
    """Return (peers to add or update as [(key, allowed IPs)], keys to remove).

    current and desired map public keys to sets of allowed IPs. A peer whose
    allowed IPs already match is left alone, so its handshake and counters
    survive the sync.
    """
    to_set = [
        (public_key, sorted(allowed_ips))
        for public_key, allowed_ips in sorted(desired.items())
        if current.get(public_key) != allowed_ips
    ]
    to_remove = sorted(set(current) - set(desired))
    return to_set, to_remove


def wg_set_commands(interface, to_set, to_remove):
    """Return the `wg set` argument lists that apply the changes, PEERS_PER_COMMAND peers at a time."""
    changes = [["peer", key, "allowed-ips", ",".join(ips)] for key, ips in to_set]
    changes += [["peer", key, "remove"] for key in to_remove]
    commands = []
    for start in range(0, len(changes), PEERS_PER_COMMAND):
        arguments = ["set", interface]
        for change in changes[start : start + PEERS_PER_COMMAND]:
            arguments += change
        commands.append(arguments)
    return commands


def tunnel_address(allowed_ips):
    """Return the peer's IPv4 tunnel address (its first IPv4 network), else its first address, else None."""
    networks = sorted((ipaddress.ip_network(value) for value in allowed_ips), key=lambda n: (n.version, n))
    return str(networks[0].network_address) if networks else None


def build_report(peers, now, window=DEFAULT_HANDSHAKE_WINDOW):
    """Return the /1.0/Node/Sessions entries for the peers with a handshake in the last window seconds."""
    entries = []
    for peer in sorted(peers.values(), key=lambda item: item.public_key):
        if not peer.latest_handshake or now - peer.latest_handshake > window:
            continue
        entry = {
            "pubkey": peer.public_key,
            "protocol": "wireguard",
            "bytes_in": peer.bytes_received,
            "bytes_out": peer.bytes_sent,
        }
        address = tunnel_address(peer.allowed_ips)
        if address:
            entry["tunnel_address"] = address
        entries.append(entry)
    return entries


class Wireguard:
    """The wg commands for one interface."""

    def __init__(self, interface, executable="wg"):
        self.interface = interface
        self.executable = executable

    def run(self, arguments):
        try:
            completed = subprocess.run(
                [self.executable, *arguments], capture_output=True, text=True, timeout=WG_TIMEOUT, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            raise WireguardError(f"{self.executable} {arguments[0]} {self.interface} failed: {error}") from None
        if completed.returncode != 0:
            raise WireguardError(
                f"{self.executable} {arguments[0]} {self.interface} exited with {completed.returncode}: "
                f"{completed.stderr.strip()}"
            )
        return completed.stdout

    def peers(self):
        return parse_dump(self.run(["show", self.interface, "dump"]))

    def apply(self, to_set, to_remove):
        for arguments in wg_set_commands(self.interface, to_set, to_remove):
            self.run(arguments)


def sync_once(config, wireguard, window=DEFAULT_HANDSHAKE_WINDOW):
    """Apply the API's peer list to the interface and report its connected peers; return True if all succeeded."""
    try:
        response = integrity_node.call_api(config, "GET", "1.0/Node/Peers")
    except integrity_node.ApiUnavailable as error:
        log.error("left %s unchanged: fetching the peer list failed: %s", wireguard.interface, error)
        return False
    if response.status != 200:
        log.error("left %s unchanged: the peer list request got HTTP %s", wireguard.interface, response.status)
        return False
    try:
        desired = parse_peer_list(response.body)
        current = wireguard.peers()
        to_set, to_remove = plan_changes({key: peer.allowed_ips for key, peer in current.items()}, desired)
        wireguard.apply(to_set, to_remove)
        peers = wireguard.peers() if to_set or to_remove else current
    except (PeerListError, WireguardError) as error:
        log.error("could not sync %s: %s", wireguard.interface, error)
        return False
    log.info(
        "synced %s: %s peers, %s added or updated, %s removed",
        wireguard.interface,
        len(desired),
        len(to_set),
        len(to_remove),
    )
    return report_sessions(config, build_report(peers, time.time(), window))


def report_sessions(config, entries):
    try:
        response = integrity_node.call_api(config, "POST", "1.0/Node/Sessions", {"sessions": entries})
    except integrity_node.ApiUnavailable as error:
        log.error("could not report %s connected peers: %s", len(entries), error)
        return False
    if response.status != 200:
        message = response.body.get("message") if isinstance(response.body, dict) else None
        log.error("the API rejected the report of %s peers: HTTP %s %s", len(entries), response.status, message)
        return False
    body = response.body
    log.info(
        "reported %s connected peers: %s opened, %s updated, %s closed, %s unknown",
        len(entries),
        body.get("opened"),
        body.get("updated"),
        body.get("closed"),
        len(body.get("unknown") or []),
    )
    return True


def run_forever(config, wireguard, interval, window):
    """Sync every interval seconds until SIGTERM or SIGINT; a failed run is logged and retried next time."""
    stop = threading.Event()

    def request_stop(signum, frame):
        log.info("stopping on signal %s", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    log.info("syncing %s every %s seconds", wireguard.interface, interval)
    while not stop.is_set():
        sync_once(config, wireguard, window)
        stop.wait(interval)
    return 0


def positive_number(text):
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text} is not a positive number of seconds")
    return value


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interface", "-i", required=True, help="the WireGuard interface to manage, such as wg0")
    parser.add_argument("--config", help=f"config file (default: {integrity_node.DEFAULT_CONFIG_PATH})")
    parser.add_argument("--wg", default="wg", help="path of the wg command (default: wg from PATH)")
    parser.add_argument(
        "--interval", type=positive_number, help="repeat every this many seconds until SIGTERM (default: run once)"
    )
    parser.add_argument(
        "--handshake-window",
        type=positive_number,
        default=DEFAULT_HANDSHAKE_WINDOW,
        help=f"seconds since a peer's latest handshake that count as connected (default: {DEFAULT_HANDSHAKE_WINDOW})",
    )
    args = parser.parse_args(argv)

    integrity_node.setup_logging(PROGRAM)
    try:
        config = integrity_node.load_config(args.config)
    except integrity_node.ConfigError as error:
        log.error("did not sync %s: %s", args.interface, error)
        return 1
    integrity_node.setup_logging(PROGRAM, config.log)

    wireguard = Wireguard(args.interface, args.wg)
    if args.interval:
        return run_forever(config, wireguard, args.interval, args.handshake_window)
    return 0 if sync_once(config, wireguard, args.handshake_window) else 1


if __name__ == "__main__":
    sys.exit(main())
