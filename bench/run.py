#!/usr/bin/env python3
"""Measure API throughput against gunicorn and PostgreSQL on loopback.

The script starts its own PostgreSQL server (through .ci/postgres) unless
DATABASE_URL is set, and seeds one reseller with --users VPN users. It then
starts gunicorn on a free loopback port and drives each scenario with
--connections client threads for --seconds seconds, stopping early after
--max-requests requests. Everything it started is stopped before it exits.

    .venv/bin/python bench/run.py --users 20000 --seconds 10

The client threads run on the same machine as the server, so the figures are
a lower bound of what the server alone could do.
"""

import argparse
import http.client
import json
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env, *args):
    return subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout


SEED_SCRIPT = """
import sys
from datetime import timedelta
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from accounts.models import Reseller, VpnUser

count = int(sys.argv[1])
reseller = Reseller.objects.create(name="Bench reseller")
_, key = reseller.issue_api_key(name="bench")
password_hash = make_password("bench-password")
now = timezone.now()
batch = [
    VpnUser(
        reseller=reseller,
        username=f"bench{i:07d}",
        password=password_hash,
        enable=i % 10 != 0,
        account_type=1 + (i % 3 == 0),
        created_at=now - timedelta(minutes=i * 26),
    )
    for i in range(count)
]
VpnUser.objects.bulk_create(batch, batch_size=5000)

# A production table has planner statistics and a visibility map; a freshly
# loaded one has neither until autovacuum gets to it.
from django.db import connection

if connection.vendor == "postgresql":
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE accounts_vpnuser")
print(key)
"""


def seed(env, users):
    output = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", SEED_SCRIPT.replace("sys.argv[1]", str(users))],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return output.strip().splitlines()[-1]


def wait_for_port(port, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not listen on port {port} within {timeout} s")


def drive(port, request, connections, seconds, max_requests):
    """Send request() tuples from several threads until time or count runs out."""
    latencies = []
    statuses = {}
    lock = threading.Lock()
    sent = [0]
    deadline = time.monotonic() + seconds

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < deadline:
            with lock:
                if sent[0] >= max_requests:
                    return
                sent[0] += 1
            method, path, headers, body = request()
            started = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                status = "error"
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                statuses[status] = statuses.get(status, 0) + 1

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "rps": len(latencies) / wall if wall else 0,
        "p50_ms": 1000 * statistics.median(latencies) if latencies else 0,
        "p99_ms": 1000 * latencies[int(len(latencies) * 0.99) - 1] if latencies else 0,
        "statuses": statuses,
    }


def scenarios(key, users):
    headers = {"API-KEY": key, "Content-Type": "application/json"}
    counter = [0]

    def list_page():
        return "GET", "/1.0/User", headers, None

    def list_search():
        return "GET", "/1.0/User?search=bench00012", headers, None

    def get_user():
        counter[0] += 1
        return "GET", f"/1.0/User/bench{counter[0] % users:07d}", headers, None

    def auth_ok():
        body = json.dumps({"username": "bench0000001", "password": "bench-password"})
        return "POST", "/1.0/Auth", headers, body

    def stats_all():
        return "GET", "/1.0/Stats/all", headers, None

    return {
        "list (page 0, 10 rows)": list_page,
        "list with search": list_search,
        "get one user": get_user,
        "auth (cached credentials)": auth_ok,
        "stats/all": stats_all,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=20000, help="VPN users to seed (default 20000)")
    parser.add_argument("--seconds", type=float, default=10, help="duration of each scenario in seconds (default 10)")
    parser.add_argument("--connections", type=int, default=8, help="concurrent client threads (default 8)")
    parser.add_argument("--max-requests", type=int, default=50000, help="request cap per scenario (default 50000)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2)")
    args = parser.parse_args()

    env = dict(os.environ)
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        API_RATE_LIMIT_PER_MINUTE="100000000",
        LOG_LEVEL="WARNING",
    )
    pg_dir = None
    gunicorn = None
    try:
        if "DATABASE_URL" not in env:
            pg_dir = tempfile.mkdtemp(prefix="integrity-bench-pg.")
            url = subprocess.run(
                [str(ROOT / ".ci" / "postgres"), "start", pg_dir], check=True, capture_output=True, text=True
            ).stdout.strip()
            env["DATABASE_URL"] = url
        manage(env, "migrate", "--no-input")
        manage(env, "collectstatic", "--no-input")
        print(f"Seeding {args.users} users...", flush=True)
        key = seed(env, args.users)

        port = free_port()
        gunicorn = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "gunicorn",
                "integrity.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(args.workers),
                "--access-logfile",
                "/dev/null",
            ],
            cwd=ROOT,
            env=env,
        )
        wait_for_port(port)

        print("| scenario | requests | req/s | p50 ms | p99 ms | statuses |")
        print("|---|---:|---:|---:|---:|---|")
        for name, request in scenarios(key, args.users).items():
            result = drive(port, request, args.connections, args.seconds, args.max_requests)
            print(
                f"| {name} | {result['requests']} | {result['rps']:.0f} | {result['p50_ms']:.1f} "
                f"| {result['p99_ms']:.1f} | {result['statuses']} |",
                flush=True,
            )
    finally:
        if gunicorn is not None:
            gunicorn.terminate()
            gunicorn.wait(timeout=30)
        if pg_dir is not None:
            subprocess.run([str(ROOT / ".ci" / "postgres"), "stop", pg_dir], check=False)
            shutil.rmtree(pg_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
