"""Fixtures for the node helpers: a VPN server with a node key, a config file pointing at the live server, and a runner.

The helpers run as subprocesses, exactly as OpenVPN or systemd would start
them, and talk over HTTP to pytest-django's live server on 127.0.0.1.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from vpnapi.models import VpnServer

NODE_DIR = Path(__file__).resolve().parents[2] / "node"
# The helpers are scripts, not a package: the tests import their functions
# the way the scripts import integrity_node, from the node directory.
if str(NODE_DIR) not in sys.path:
    sys.path.insert(0, str(NODE_DIR))

# Upper bound on any helper run; the helpers' own API timeout is shorter.
RUN_TIMEOUT = 30


@pytest.fixture
def vpn_server(db):
    return VpnServer.objects.create(name="se-sto-1", hostname="vpn1.example")


@pytest.fixture
def node_key(vpn_server):
    return vpn_server.issue_node_key()


@pytest.fixture
def api_url(live_server, settings):
    # The live server listens on 127.0.0.1 but allows only the host name
    # "localhost"; the helpers use the address so no lookup is involved.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1"]
    return live_server.url.replace("localhost", "127.0.0.1") + "/"


def write_config(path, api_url, node_key, **extra):
    """Write a node config file readable by its owner only and return its path."""
    lines = ["[integrity]", f"api_url = {api_url}", f"node_key = {node_key}"]
    lines += [f"{name} = {value}" for name, value in extra.items()]
    path.write_text("\n".join(lines) + "\n")
    path.chmod(0o600)
    return path


@pytest.fixture
def state_file(tmp_path):
    return tmp_path / "state" / "openvpn-sessions.json"


@pytest.fixture
def node_config(tmp_path, api_url, node_key, state_file):
    return write_config(tmp_path / "node.conf", api_url, node_key, timeout=5, openvpn_state_file=state_file)


def run_helper(script, *arguments, env=None, config=None):
    """Run a helper script with the test's Python and return the CompletedProcess."""
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    if config is not None:
        environment["INTEGRITY_NODE_CONFIG"] = str(config)
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, str(NODE_DIR / script), *arguments],
        env=environment,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )


def closed_port():
    """Return a loopback TCP port that nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


VPN_PACKAGES = "openvpn openssl wireguard-tools wireguard-go iproute2"
# Upper bound on every wait for a VPN process to reach a state.
VPN_WAIT_SECONDS = 20


def require_vpn_tools(*commands):
    """Skip the test when a VPN tool or root is missing, or fail when REQUIRE_VPN=1 is set."""
    missing = [command for command in commands if shutil.which(command) is None]
    if missing:
        reason = f"{', '.join(missing)} not installed: run apt-get install -y --no-install-recommends {VPN_PACKAGES}"
    elif os.geteuid() != 0:
        reason = "the VPN tests create tun devices and network namespaces, so they must run as root"
    else:
        return
    if os.environ.get("REQUIRE_VPN") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


def wait_for(condition, description, seconds=VPN_WAIT_SECONDS):
    """Poll condition until it returns a true value and return that value; fail after seconds."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {seconds} s waiting for {description}")
        time.sleep(0.1)


def stop_process(process):
    """Stop a process this test started, by its PID: SIGTERM, then SIGKILL after 10 s."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
