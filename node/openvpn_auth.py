#!/usr/bin/env python3
"""Check an OpenVPN client's username and password with the Integrity API.

Use it as OpenVPN's auth-user-pass-verify script in via-file mode:

    auth-user-pass-verify /usr/local/lib/integrity-node/openvpn_auth.py via-file

OpenVPN appends the path of a temporary file whose first line is the
username and second line the password. The script exits 0 only when
POST /1.0/Auth returns 200, and 1 on every other response or failure
(wrong password, disabled user, throttling, server error, timeout), so an
unreachable API never lets a client in. Without a file argument it reads
the username and password environment variables of via-env mode.
"""

import argparse
import os
import sys

import integrity_node

PROGRAM = "integrity-openvpn-auth"
ACCEPT = 0
REJECT = 1
# API error codes that are a verdict on the user rather than a failure of this node.
USER_OUTCOMES = {"invalid_credentials", "user_disabled", "user_expired"}


def read_credentials(path):
    """Return (username, password) from OpenVPN's via-file temporary file."""
    with open(path, encoding="utf-8", errors="surrogateescape") as credentials_file:
        lines = credentials_file.read().splitlines()
    username = lines[0] if lines else ""
    password = lines[1] if len(lines) > 1 else ""
    return username, password


def decide(config, username, password):
    """Return ACCEPT or REJECT for the credentials and log one line with the reason."""
    log = integrity_node.logger
    if not username or not password:
        log.info("rejected username %s: the username or password is empty", integrity_node.printable(username))
        return REJECT
    try:
        response = integrity_node.call_api(config, "POST", "1.0/Auth", {"username": username, "password": password})
    except integrity_node.ApiUnavailable as error:
        log.error("rejected username %s: %s", integrity_node.printable(username), error)
        return REJECT

    body = response.body if isinstance(response.body, dict) else {}
    if response.status == 200 and body.get("success") == "ok" and isinstance(body.get("user_id"), int):
        log.info("accepted username %s (user_id %s)", integrity_node.printable(username), body["user_id"])
        return ACCEPT
    if response.status == 200:
        # A proxy or a wrong api_url can return 200 too, so only the API's
        # own success body lets a client in.
        log.error("rejected username %s: HTTP 200 without the API's success body", integrity_node.printable(username))
        return REJECT
    if response.error_code in USER_OUTCOMES:
        log.warning(
            "rejected username %s: HTTP %s %s", integrity_node.printable(username), response.status, response.error_code
        )
    else:
        # Not the user's fault: a wrong node key, a disabled server,
        # throttling or a server error. The API's message names the fix.
        if response.error_code:
            detail = f"{response.error_code}: {body.get('message')}"
        else:
            detail = "without the API's JSON error body"
        log.error("rejected username %s: HTTP %s %s", integrity_node.printable(username), response.status, detail)
    return REJECT


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", help=f"config file (default: {integrity_node.DEFAULT_CONFIG_PATH})")
    parser.add_argument("credentials_file", nargs="?", help="the temporary file OpenVPN passes in via-file mode")
    args = parser.parse_args(argv)

    integrity_node.setup_logging(PROGRAM)
    try:
        config = integrity_node.load_config(args.config)
    except integrity_node.ConfigError as error:
        integrity_node.logger.error("rejected the login: %s", error)
        return REJECT
    integrity_node.setup_logging(PROGRAM, config.log)

    if args.credentials_file:
        try:
            username, password = read_credentials(args.credentials_file)
        except OSError as error:
            integrity_node.logger.error("rejected the login: cannot read %s: %s", args.credentials_file, error.strerror)
            return REJECT
    else:
        username, password = os.environ.get("username", ""), os.environ.get("password", "")
    return decide(config, username, password)


if __name__ == "__main__":
    sys.exit(main())
