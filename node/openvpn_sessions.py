#!/usr/bin/env python3
"""Report the users connected to this OpenVPN server to the Integrity API.

As OpenVPN's client-connect and client-disconnect script (OpenVPN sets
script_type to tell which), it adds or removes the connection in a small
state file and POSTs the node's full connection list to /1.0/Node/Sessions:

    client-connect /usr/local/lib/integrity-node/openvpn_sessions.py
    client-disconnect /usr/local/lib/integrity-node/openvpn_sessions.py

Run from a timer as `openvpn_sessions.py report --status FILE`, it rebuilds
the list from OpenVPN's status file (status-version 2 or 3) and sends it
with current byte counters, so a lost disconnect is corrected there at the
latest. Connect and disconnect always exit 0, because a non-zero exit would
make OpenVPN drop the client; report exits 1 when the report fails.
"""

import argparse
import fcntl
import json
import os
import sys
import tempfile
import time
from contextlib import contextmanager

import integrity_node

PROGRAM = "integrity-openvpn-sessions"
log = integrity_node.logger

CONNECTION_FIELDS = ("username", "tunnel_address", "connected_since", "bytes_in", "bytes_out")


class StatusFileError(Exception):
    """A status file that cannot be read or is not in status-version 2 or 3."""


def connection_key(username, tunnel_address):
    """Return the state file's key of a connection: OpenVPN's common_name plus its pool address.

    The pool address is the IPv4 one, or the IPv6 one on a server without an
    IPv4 pool.
    """
    return f"{username}\t{tunnel_address or ''}"


def connection_from_env(environ):
    """Return the connection OpenVPN describes in a client-connect or client-disconnect environment."""
    return {
        "username": environ.get("common_name", ""),
        "tunnel_address": environ.get("ifconfig_pool_remote_ip") or environ.get("ifconfig_pool_remote_ip6") or None,
        "connected_since": _int_or_zero(environ.get("time_unix")),
        "bytes_in": _int_or_zero(environ.get("bytes_received")),
        "bytes_out": _int_or_zero(environ.get("bytes_sent")),
    }


def _int_or_zero(value):
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return 0


def add_connection(state, connection):
    """Add the connection, replacing an older one with the same name and address."""
    state[connection_key(connection["username"], connection["tunnel_address"])] = connection


def remove_connection(state, connection):
    """Remove and return the stored connection, or return None if it is missing.

    A stored connection that started at another time is a newer connection
    that reused the name and address, so it stays.
    """
    key = connection_key(connection["username"], connection["tunnel_address"])
    stored = state.get(key)
    if stored is None:
        return None
    if connection["connected_since"] and stored["connected_since"] != connection["connected_since"]:
        return None
    return state.pop(key)


def parse_status(text):
    """Return (time the file was written as a Unix time or None, connections) from a status-version 2 or 3 file.

    Clients still authenticating are listed as UNDEF and left out.
    """
    written_at = None
    columns = None
    connections = []
    for line in text.splitlines():
        fields = line.split("\t") if "\t" in line else line.split(",")
        kind = fields[0]
        if kind == "TIME" and len(fields) >= 3:
            written_at = _int_or_zero(fields[2]) or None
        elif kind == "HEADER" and len(fields) > 1 and fields[1] == "CLIENT_LIST":
            columns = {name: index for index, name in enumerate(fields[2:], start=1)}
        elif kind == "CLIENT_LIST":
            if columns is None:
                raise StatusFileError("a CLIENT_LIST line comes before its HEADER line")
            connection = _connection_from_row(columns, fields)
            if connection["username"] and connection["username"] != "UNDEF":
                connections.append(connection)
    if columns is None:
        raise StatusFileError("it has no HEADER,CLIENT_LIST line: set status-version 2 or 3 in the server config")
    if not text.rstrip().endswith("END"):
        raise StatusFileError("it does not end with END, so OpenVPN was still writing it")
    return written_at, connections


def read_status(path, attempts=3, pause=0.2):
    """Parse a status file, reading it again when OpenVPN was rewriting it in place at that moment."""
    for attempt in range(attempts):
        with open(path, encoding="utf-8", errors="replace") as status_file:
            text = status_file.read()
        try:
            return parse_status(text)
        except StatusFileError:
            if attempt == attempts - 1:
                raise
            time.sleep(pause)


def _connection_from_row(columns, fields):
    def column(name):
        index = columns.get(name)
        return fields[index] if index is not None and index < len(fields) else ""

    return {
        "username": column("Common Name"),
        "tunnel_address": column("Virtual Address") or column("Virtual IPv6 Address") or None,
        "connected_since": _int_or_zero(column("Connected Since (time_t)")),
        "bytes_in": _int_or_zero(column("Bytes Received")),
        "bytes_out": _int_or_zero(column("Bytes Sent")),
    }


def rebuild_state(state, status_results):
    """Return the state that the status files describe.

    A stored connection that started at or after the time the oldest status
    file was written is kept, because that file may not list it yet.
    """
    times = [written_at for written_at, _ in status_results if written_at]
    oldest = min(times) if times else None
    rebuilt = {}
    if oldest is not None:
        for key, connection in state.items():
            if connection["connected_since"] >= oldest:
                rebuilt[key] = connection
    for _, connections in status_results:
        for connection in connections:
            if not connection["tunnel_address"]:
                # OpenVPN lists a client while it is still authenticating,
                # before the pool address is assigned and before
                # client-connect runs. Only the stored connection has the
                # address, and client-connect reports one that is not stored.
                stored = _find_stored(state, connection)
                if stored is None:
                    continue
                connection = {**connection, "tunnel_address": stored["tunnel_address"]}
            add_connection(rebuilt, connection)
    return rebuilt


def _find_stored(state, connection):
    for stored in state.values():
        if (stored["username"], stored["connected_since"]) == (connection["username"], connection["connected_since"]):
            return stored
    return None


def build_report(state):
    """Return the /1.0/Node/Sessions entries for the stored connections, one per user and address."""
    entries = {}
    for connection in sorted(state.values(), key=lambda item: item["connected_since"]):
        entry = {
            "username": connection["username"],
            "protocol": "openvpn",
            "bytes_in": connection["bytes_in"],
            "bytes_out": connection["bytes_out"],
        }
        if connection["tunnel_address"]:
            entry["tunnel_address"] = connection["tunnel_address"]
        # The API matches usernames in any letter case, so two names that
        # differ only in case would be one connection, and the newest wins.
        entries[(connection["username"].upper(), connection["tunnel_address"])] = entry
    return list(entries.values())


@contextmanager
def locked_state(path):
    """Yield the stored connections under an exclusive lock and save them on exit.

    The lock is held until the report is sent, so two OpenVPN instances
    sharing the file cannot send their lists out of order.
    """
    os.makedirs(os.path.dirname(path) or ".", mode=0o750, exist_ok=True)
    with open(f"{path}.lock", "a") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        state = _read_state(path)
        yield state
        _write_state(path, state)


def _read_state(path):
    try:
        with open(path, encoding="utf-8") as state_file:
            stored = json.load(state_file)
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        log.error("ignored the unreadable state file %s: %s", path, error)
        return {}
    state = {}
    try:
        for connection in stored["connections"]:
            add_connection(state, {name: connection[name] for name in CONNECTION_FIELDS})
    except (KeyError, TypeError) as error:
        log.error("ignored the state file %s: it is not in this program's format (%r)", path, error)
        return {}
    return state


def _write_state(path, state):
    directory = os.path.dirname(path) or "."
    with tempfile.NamedTemporaryFile("w", dir=directory, prefix=".sessions-", delete=False) as temporary:
        json.dump({"connections": list(state.values())}, temporary)
    os.replace(temporary.name, path)


def send_report(config, state):
    """POST the stored connections as the node's full list; return True when the API accepted it."""
    entries = build_report(state)
    try:
        response = integrity_node.call_api(config, "POST", "1.0/Node/Sessions", {"sessions": entries})
    except integrity_node.ApiUnavailable as error:
        log.error("could not report %s connections: %s", len(entries), error)
        return False
    if response.status != 200:
        message = response.body.get("message") if isinstance(response.body, dict) else None
        log.error("the API rejected the report of %s connections: HTTP %s %s", len(entries), response.status, message)
        return False
    body = response.body
    log.info(
        "reported %s connections: %s opened, %s updated, %s closed, unknown users %s",
        len(entries),
        body.get("opened"),
        body.get("updated"),
        body.get("closed"),
        body.get("unknown"),
    )
    return True


def client_connect(config, environ):
    connection = connection_from_env(environ)
    log.info(
        "client-connect of %s at %s", integrity_node.printable(connection["username"]), connection["tunnel_address"]
    )
    with locked_state(config.openvpn_state_file) as state:
        add_connection(state, connection)
        send_report(config, state)


def client_disconnect(config, environ):
    connection = connection_from_env(environ)
    log.info(
        "client-disconnect of %s at %s after %s bytes in, %s bytes out",
        integrity_node.printable(connection["username"]),
        connection["tunnel_address"],
        connection["bytes_in"],
        connection["bytes_out"],
    )
    with locked_state(config.openvpn_state_file) as state:
        stored = remove_connection(state, connection)
        if stored is not None:
            # Record the final counters first, because the report that
            # leaves the connection out closes its session with the counters
            # on record.
            stored.update(bytes_in=connection["bytes_in"], bytes_out=connection["bytes_out"])
            add_connection(state, stored)
            send_report(config, state)
            remove_connection(state, stored)
        send_report(config, state)


def report(config, status_paths):
    status_results = []
    for path in status_paths:
        try:
            status_results.append(read_status(path))
        except (OSError, StatusFileError) as error:
            log.error("did not report: the status file %s is unusable: %s", path, error)
            return 1
    with locked_state(config.openvpn_state_file) as state:
        rebuilt = rebuild_state(state, status_results)
        state.clear()
        state.update(rebuilt)
        return 0 if send_report(config, state) else 1


def main(argv=None, environ=None):
    environ = os.environ if environ is None else environ
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", help=f"config file (default: {integrity_node.DEFAULT_CONFIG_PATH})")
    parser.add_argument(
        "--status",
        action="append",
        default=[],
        metavar="FILE",
        help="report mode: an OpenVPN status file (status-version 2 or 3); repeat it for every instance",
    )
    parser.add_argument(
        "arguments", nargs="*", help="'report', or the file OpenVPN passes to client-connect (it is not used)"
    )
    args = parser.parse_args(argv)
    mode = "report" if args.arguments[:1] == ["report"] else environ.get("script_type")

    integrity_node.setup_logging(PROGRAM)
    if mode == "report" and not args.status:
        parser.error("report needs at least one --status FILE")
    if mode not in ("report", "client-connect", "client-disconnect"):
        parser.error("run it as OpenVPN's client-connect or client-disconnect script, or as: report --status FILE")
    try:
        config = integrity_node.load_config(args.config, environ)
    except integrity_node.ConfigError as error:
        log.error("did not report the %s: %s", mode, error)
        return 1 if mode == "report" else 0
    integrity_node.setup_logging(PROGRAM, config.log)

    try:
        if mode == "report":
            return report(config, args.status)
        if mode == "client-connect":
            client_connect(config, environ)
        else:
            client_disconnect(config, environ)
    except OSError as error:
        log.error("did not report the %s: the state file %s failed: %s", mode, config.openvpn_state_file, error)
        return 1 if mode == "report" else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
