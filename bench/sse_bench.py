"""SSE fan-out: events/s delivered to 100 connected ``GET /events`` listeners of one API
process (``clipnet serve``, uvicorn, one process), events published through Redis Streams as
a worker publishes them.

Run by hand (Redis at 127.0.0.1:6379):

    .venv/bin/python -m bench.sse_bench [--listeners 100] [--events 500] [--rounds 3] [--rate N]

One user, ``--listeners`` open streams (a hundred studio tabs, or a hundred replicas' worth
of viewers of one account), ``--events`` events published by this process as fast as Redis
takes them (or ``--rate`` a second, for the latency of a steady load). Reported per round:
the seconds from the first publish to the last listener holding every event, events/s
(published events all listeners received, per second), deliveries/s (events x listeners, per
second) and the publish-to-receive latency p50/p99 over every delivery. The median round is
the figure.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import redis
from tests.job_harness import REDIS_URL, delete_namespace, fresh_namespace
from tests.loopback.asgi import free_port
from tests.sse import Sse, parse_stream

from clipnet.adapters.crypto import new_key
from clipnet.adapters.redis_events import RedisEventLog

PASSWORD = "a long enough password"


def start_api(folder: Path, namespace: str, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "CLIPNET_DATA_DIR": str(folder),
        "CLIPNET_EVENTS": "redis",
        "CLIPNET_REDIS_URL": REDIS_URL,
        "CLIPNET_REDIS_NAMESPACE": namespace,
        "CLIPNET_SECRET_KEYS": new_key(),
        "CLIPNET_WHISPER_MODEL": "off",
        "CLIPNET_LOG_LEVEL": "WARNING",
        "CLIPNET_AUTH_RATE_LIMIT": "1000",
    }
    clipnet = Path(sys.executable).with_name("clipnet")
    return subprocess.Popen(
        [str(clipnet), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_ready(base: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/health/live", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit("clipnet serve did not start within 60 s")


def sign_up(base: str) -> tuple[str, str]:
    """(user id, access token) of a new user."""
    email = f"bench-{time.time_ns()}@example.com"
    created = httpx.post(f"{base}/auth/signup", json={"email": email, "password": PASSWORD})
    created.raise_for_status()
    tokens = httpx.post(f"{base}/auth/login", json={"email": email, "password": PASSWORD})
    tokens.raise_for_status()
    return created.json()["id"], tokens.json()["access_token"]


async def listen(
    client: httpx.AsyncClient,
    token: str,
    wanted: int,
    opened: asyncio.Event,
    ready: list[int],
    latencies: list[float],
) -> float:
    """Read one stream until ``wanted`` events came; the time the last one arrived."""
    got = 0
    headers = {"Authorization": f"Bearer {token}"}
    async with client.stream("GET", "/events", headers=headers) as response:
        response.raise_for_status()
        lines: list[str] = []
        async for line in response.aiter_lines():
            lines.append(line)
            if line != "":
                continue
            for item in parse_stream(lines):
                if isinstance(item, Sse) and item.event == "job.progress":
                    got += 1
                    latencies.append(time.time() - item.data["sent"])
                elif isinstance(item, Sse) and item.event == "open":
                    ready.append(1)
                    opened.set()
            lines = []
            if got >= wanted:
                return time.monotonic()
    raise RuntimeError(f"the stream ended after {got} of {wanted} events")


async def one_round(
    base: str,
    owner: str,
    token: str,
    event_log: RedisEventLog,
    listeners: int,
    events: int,
    rate: float,
) -> dict[str, float]:
    limits = httpx.Limits(max_connections=listeners + 10, max_keepalive_connections=listeners)
    latencies: list[float] = []
    ready: list[int] = []
    opened = asyncio.Event()
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:
        tasks = [
            asyncio.create_task(listen(client, token, events, opened, ready, latencies))
            for _ in range(listeners)
        ]
        while len(ready) < listeners:  # every stream open before the first publish
            await asyncio.sleep(0.05)
        began = time.monotonic()
        for n in range(events):
            data = {
                "source_id": "bench",
                "clip_id": None,
                "stage": "analyzing",
                "percent": n % 101,
                "sent": time.time(),
            }
            await asyncio.to_thread(event_log.publish, owner, "job.progress", data)
            if rate > 0:
                await asyncio.sleep(max(0.0, began + (n + 1) / rate - time.monotonic()))
        finished = max(await asyncio.gather(*tasks))
    seconds = finished - began
    ordered = sorted(latencies)
    return {
        "seconds": seconds,
        "events_per_s": events / seconds,
        "deliveries_per_s": events * listeners / seconds,
        "p50_ms": 1000 * ordered[len(ordered) // 2],
        "p99_ms": 1000 * ordered[int(len(ordered) * 0.99)],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listeners", type=int, default=100)
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rate", type=float, default=0, help="events/s; 0: as fast as possible")
    args = parser.parse_args()
    namespace = fresh_namespace()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    client = redis.Redis.from_url(REDIS_URL)
    with tempfile.TemporaryDirectory() as folder:
        api = start_api(Path(folder), namespace, port)
        try:
            wait_ready(base)
            owner, token = sign_up(base)
            event_log = RedisEventLog(client, REDIS_URL, namespace, keep=100_000, ttl=600)
            results = [
                asyncio.run(
                    one_round(base, owner, token, event_log, args.listeners, args.events, args.rate)
                )
                for _ in range(args.rounds)
            ]
        finally:
            api.terminate()
            api.wait(timeout=30)
            client.close()
            delete_namespace(namespace)
    for n, result in enumerate(results, 1):
        print(f"round {n}: " + json.dumps({k: round(v, 2) for k, v in result.items()}))
    median = sorted(results, key=lambda r: r["events_per_s"])[len(results) // 2]
    summary: dict[str, Any] = {k: round(v, 1) for k, v in median.items()}
    print(
        f"median round, {args.listeners} listeners x {args.events} events: {summary} "
        f"({platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()})"
    )
    print(f"all rounds' events/s: {statistics.mean(r['events_per_s'] for r in results):.0f} mean")


if __name__ == "__main__":
    main()
