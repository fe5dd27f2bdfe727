"""``GET /clips`` (PostgreSQL, authenticated) through ClipNET's API against a minimal Litestar
app running the same query on the same database, in the same run.

Run by hand (PostgreSQL at 127.0.0.1:5432 and Redis at 127.0.0.1:6379; ``wrk`` installed):

    .venv/bin/python -m bench.http_bench [--seconds 10] [--connections 8] [--rounds 3]

Both apps run under the same uvicorn settings (one process, no access log) in subprocesses on
loopback ports, one after the other: rounds alternate ClipNET / minimal so a change of load on
a shared machine hits both. Reported: requests/s and p50/p99 latency (wrk), the median round,
and the ratio ClipNET / minimal. What ClipNET adds: HMAC bearer-token check, DI from the
container, the unit of work, rows -> clip summaries -> response structs, the problem handlers.
The minimal app checks a fixed bearer token and returns the rows as dicts.
"""

from __future__ import annotations

import argparse
import hmac
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from litestar import Litestar, Request, get
from litestar.exceptions import NotAuthorizedException
from litestar.params import FromQuery
from tests.builders import a_clip, a_source
from tests.job_harness import REDIS_URL, delete_namespace, fresh_namespace
from tests.sql_databases import postgres_schema_url, sql_database

from bench.repository_bench import a_scored_clip
from clipnet.adapters.crypto import new_key
from clipnet.adapters.sqlalchemy.rows import CLIP_SUMMARY_COLUMNS
from clipnet.adapters.sqlalchemy.tables import clips
from clipnet.adapters.system import TimeOrderedIds

MINIMAL_TOKEN = "bench-token"
ROOT = Path(__file__).resolve().parents[1]


# -- the minimal app (built in the server subprocess by uvicorn --factory) -----------------------


def minimal_app() -> Litestar:
    """One route: the same SELECT as ClipNET's clip list, rows returned as dicts."""
    url = os.environ["CLIPNET_DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1)
    engine = sa.create_engine(url, pool_size=5, pool_pre_ping=True)
    owner = os.environ["BENCH_OWNER"]
    expected = f"Bearer {MINIMAL_TOKEN}"

    @get("/clips/", sync_to_thread=True)
    def list_clips(
        request: Request[Any, Any, Any],
        limit: FromQuery[int] = 50,
    ) -> dict[str, Any]:
        if not hmac.compare_digest(request.headers.get("authorization", ""), expected):
            raise NotAuthorizedException()
        c = clips.c
        columns = [c[name] for name in CLIP_SUMMARY_COLUMNS]
        query = sa.select(*columns).where(c.owner_id == owner).order_by(c.id).limit(limit + 1)
        with engine.connect() as connection:
            rows = connection.execute(query).all()
        items = [
            {
                "id": r.id,
                "source_id": r.source_id,
                "status": r.status,
                "origin": r.origin,
                "start": r.span_start,
                "end": r.span_end,
                "title": r.title,
                "template": r.template,
                "score": r.score_total,
                "created_at": r.created_at,
            }
            for r in rows[:limit]
        ]
        more = len(rows) > limit
        return {"items": items, "next_cursor": items[-1]["id"] if more else None}

    return Litestar([list_clips])


def clipnet_app() -> Litestar:
    """What ``clipnet serve`` runs, from the CLIPNET_* environment."""
    from clipnet.entrypoints.serve import build_app
    from clipnet.settings import load_settings

    app: Litestar = build_app(load_settings())
    return app


# -- running and measuring --------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def server(factory: str, env: dict[str, str]) -> Iterator[str]:
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        f"bench.http_bench:{factory}",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env})
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{base}/clips/", timeout=1)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"{factory} did not start") from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def wrk(url: str, token: str, seconds: float, connections: int) -> dict[str, float]:
    out = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{seconds:g}s",
            "--latency",
            "-H",
            f"Authorization: Bearer {token}",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if "Non-2xx" in out:
        raise RuntimeError(f"{url}: some answers were errors\n{out}")

    def latency(pct: str) -> float:
        value, unit = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()  # type: ignore[union-attr]
        return float(value) * UNITS[unit]

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    return {"rps": rps, "p50": latency("50"), "p99": latency("99")}


def seed(env: dict[str, str], base: str, clip_count: int, bare: bool) -> tuple[str, str]:
    """A user signed up through the API, with one source and ``clip_count`` clips: ready ones
    (score, 60-word transcript, history, assets) or, ``bare``, as just requested."""
    from clipnet.adapters.crypto import FernetSecretBox
    from clipnet.adapters.sqlalchemy import SqlDatabase

    email, password = "bench@example.com", "a long enough password"
    http = httpx.Client(base_url=base, timeout=30)
    user = http.post("/auth/signup", json={"email": email, "password": password}).json()
    token = http.post("/auth/login", json={"email": email, "password": password}).json()
    db = SqlDatabase(env["CLIPNET_DATABASE_URL"], FernetSecretBox.ephemeral())
    ids = TimeOrderedIds()
    with db.unit_of_work() as uow:
        uow.sources.add(a_source("bench-source", owner_id=user["id"]))
        for _ in range(clip_count):
            clip = a_clip(ids.new_id()) if bare else a_scored_clip(ids.new_id())
            clip.owner_id, clip.source_id = user["id"], "bench-source"
            uow.clips.add(clip)
        uow.commit()
    db.dispose()
    return user["id"], str(token["access_token"])


def same_answers(clipnet: str, minimal: str, token: str, page: int) -> None:
    ours = httpx.get(
        f"{clipnet}/clips/?limit={page}", headers={"Authorization": f"Bearer {token}"}
    ).json()
    theirs = httpx.get(
        f"{minimal}/clips/?limit={page}", headers={"Authorization": f"Bearer {MINIMAL_TOKEN}"}
    ).json()
    assert [c["id"] for c in ours["items"]] == [c["id"] for c in theirs["items"]], "same rows"
    assert len(ours["items"]) == page and ours["next_cursor"] == theirs["next_cursor"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clips", type=int, default=200, help="clips the user owns")
    parser.add_argument("--page", type=int, default=50, help="clips a page returns")
    parser.add_argument(
        "--bare", action="store_true", help="clips as requested (no score or transcript yet)"
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install wrk)")
    namespace = fresh_namespace()
    with postgres_schema_url() as url, sql_database(url):
        env = {
            "CLIPNET_DATABASE_URL": url,
            "CLIPNET_QUEUE": "dramatiq",
            "CLIPNET_REDIS_URL": REDIS_URL,
            "CLIPNET_REDIS_NAMESPACE": namespace,
            "CLIPNET_STORAGE": "local",
            "CLIPNET_DATA_DIR": str(Path("/tmp") / f"clipnet-bench-{namespace}"),
            "CLIPNET_SECRET_KEYS": new_key(),
            "CLIPNET_LOG_LEVEL": "WARNING",
        }
        try:
            with server("clipnet_app", env) as ours:
                owner, token = seed(env, ours, args.clips, args.bare)
                with server("minimal_app", {**env, "BENCH_OWNER": owner}) as minimal:
                    same_answers(ours, minimal, token, args.page)
                    results = measure(args, ours, minimal, token)
        finally:
            delete_namespace(namespace)
    report(args, results)


def measure(
    args: argparse.Namespace, ours: str, minimal: str, token: str
) -> dict[str, list[dict[str, float]]]:
    targets = {
        "clipnet": (f"{ours}/clips/?limit={args.page}", token),
        "minimal": (f"{minimal}/clips/?limit={args.page}", MINIMAL_TOKEN),
    }
    for url, key in targets.values():  # warm up: connection pools, caches, JIT-free imports
        wrk(url, key, 2, args.connections)
    results: dict[str, list[dict[str, float]]] = {name: [] for name in targets}
    for _ in range(args.rounds):
        for name, (url, key) in targets.items():
            results[name].append(wrk(url, key, args.seconds, args.connections))
    return results


def report(args: argparse.Namespace, results: dict[str, list[dict[str, float]]]) -> None:
    median = {
        name: {m: statistics.median(r[m] for r in runs) for m in ("rps", "p50", "p99")}
        for name, runs in results.items()
    }
    print(
        f"GET /clips/?limit={args.page} (PostgreSQL, {args.clips} "
        f"{'bare' if args.bare else 'ready'} clips, authenticated), "
        f"wrk -t1 -c{args.connections} {args.seconds:g} s x {args.rounds} rounds; "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    print(f"{'':10} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8}   rounds (req/s)")
    for name, m in median.items():
        rounds = ", ".join(f"{r['rps']:.0f}" for r in results[name])
        print(f"{name:10} {m['rps']:9.0f} {m['p50']:8.2f} {m['p99']:8.2f}   {rounds}")
    ours, base = median["clipnet"], median["minimal"]
    print(
        f"ratio minimal/clipnet throughput: {base['rps'] / ours['rps']:.2f}x; "
        f"clipnet/minimal p50: {ours['p50'] / base['p50']:.2f}x, "
        f"p99: {ours['p99'] / base['p99']:.2f}x (target: within 1.25x)"
    )


if __name__ == "__main__":
    main()
