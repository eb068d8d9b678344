"""Dela benchmarks: content import throughput and page rates under gunicorn.

Writes docs/benchmarks.md. Run with `make bench`. Numbers vary ±25 % between runs on shared
machines; compare ratios measured in the same run rather than absolute figures across runs.
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from methodbook.content_io import iter_import  # noqa: E402
from methodbook.db import make_engine, make_sessionmaker  # noqa: E402
from methodbook.migrate import upgrade  # noqa: E402
from methodbook.search.indexing import SearchContext, reindex  # noqa: E402
from methodbook.search.whoosh_backend import WhooshBackend  # noqa: E402

WORDS = (
    "möte bibliotek återkoppling deltagare metod mall plan kommun kultur grupp samtal idé "
    "workshop lyssna fika användare enkät intervju dialog vägledning erfarenhet nätverk "
    "brugere spørgeskema folkebibliotek deltagerne evaluering feedback walkshop listening"
).split()
ROLES = ["librarians", "municipal-staff", "culture-workers", "facilitators", "teachers"]


def words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def write_corpus(folder: Path, count: int, seed: int = 7) -> None:
    """Write `count` generated entries in the content/ format."""
    rng = random.Random(seed)
    for i in range(count):
        body = "\n\n".join(f"## Steg {s}\n\n{words(rng, 60)}" for s in range(1, 6))
        roles = "\n".join(f"  - {r}" for r in rng.sample(ROLES, 2))
        tags = "\n".join(f"  - {t}" for t in rng.sample(WORDS, 3))
        low = rng.randint(15, 90)
        text = (
            f"---\ntitle: Metod {i} {words(rng, 3)}\nslug: metod-{i}\nkind: method\nlanguage: sv\n"
            f"summary: {words(rng, 20)}\npurpose: {words(rng, 15)}\nroles:\n{roles}\nwhen: {words(rng, 10)}\n"
            f"digital: {words(rng, 12)}\nduration: {low}-{low + 30}\ngroup_size: 3-12\nmaterials: {words(rng, 8)}\n"
            f"phase: during\ntags:\n{tags}\nlicence: CC BY 4.0\nauthors:\n  - Bench\nstatus: published\n"
            f"attachments: []\n---\n{body}\n"
        )
        (folder / f"metod-{i}.md").write_text(text, encoding="utf-8")


def bench_import(url: str, corpus: Path, upload_dir: Path) -> dict:
    """Import the corpus the way `flask content import` does and time it."""
    engine = make_engine(url)
    upgrade(engine)
    session = make_sessionmaker(engine)()
    started = time.perf_counter()
    outcomes = {}
    for done, (_path, outcome, _error) in enumerate(iter_import(session, corpus, upload_dir), start=1):
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        if done % 200 == 0:
            session.commit()
    session.commit()
    elapsed = time.perf_counter() - started
    session.close()
    engine.dispose()
    created = outcomes.get("created", 0)
    return {"created": created, "seconds": elapsed, "rate": created / elapsed, "outcomes": outcomes}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(app_spec: str, env: dict, workers: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}", "--log-level", "warning", app_spec],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process, port
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"gunicorn for {app_spec} did not start: {process.stderr.read().decode()[-2000:]}")


def load(port: int, path: str, seconds: float, threads: int) -> dict:
    """Send requests from `threads` threads for `seconds`; return rate and latency percentiles."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def worker():
        mine = []
        while time.perf_counter() < stop:
            t0 = time.perf_counter()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            try:
                conn.request("GET", path, headers={"Accept-Language": "sv"})
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    errors[0] += 1
            except OSError:
                errors[0] += 1
            finally:
                conn.close()
            mine.append(time.perf_counter() - t0)
        with lock:
            latencies.extend(mine)

    # Warm up the workers (template compilation, first queries) before measuring.
    for _ in range(20):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", path)
        conn.getresponse().read()
        conn.close()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    started = time.perf_counter()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "rate": len(latencies) / elapsed,
        "p50_ms": 1000 * statistics.median(latencies),
        "p95_ms": 1000 * latencies[int(0.95 * (len(latencies) - 1))],
        "errors": errors[0],
    }


def write_report(lines: list[str], out: str) -> int:
    """Write a benchmark's Markdown report (and show it); the script's exit status."""
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(
            next(
                line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
            ).split()[1]
        )
        mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, StopIteration, ValueError):
        pass
    return f"{os.cpu_count()} cores ({cpu}){mem}, {platform.system()} {platform.release()}, Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=5000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--pg", default=os.environ.get("TEST_DATABASE_URL", ""), help="also time the import on this PostgreSQL URL"
    )
    parser.add_argument("--out", default=str(ROOT / "docs" / "benchmarks.md"))
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="dela-bench-"))
    corpus = work / "corpus"
    corpus.mkdir()
    write_corpus(corpus, args.entries)
    db_url = f"sqlite:///{work / 'bench.db'}"
    print(f"importing {args.entries} entries into SQLite …", flush=True)
    sqlite_import = bench_import(db_url, corpus, work / "uploads")
    print(f"  {sqlite_import['rate']:.0f} entries/s", flush=True)
    pg_import = None
    if args.pg:
        from sqlalchemy import text

        engine = make_engine(args.pg)
        schema = f"dela_bench_{os.getpid()}"
        try:
            with engine.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            from sqlalchemy.engine import make_url

            pg_url = (
                make_url(args.pg)
                .update_query_dict({"options": f"-csearch_path={schema}"})
                .render_as_string(hide_password=False)
            )
            print("importing into PostgreSQL …", flush=True)
            pg_import = bench_import(pg_url, corpus, work / "uploads")
            print(f"  {pg_import['rate']:.0f} entries/s", flush=True)
        except Exception as exc:  # noqa: BLE001
            print(f"  PostgreSQL import skipped: {exc}", flush=True)
        finally:
            with engine.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            engine.dispose()

    # Build the search index as `make run` does, so no worker rebuilds it during the measurement.
    index_dir = work / "index"
    engine = make_engine(db_url)
    context = SearchContext(WhooshBackend(index_dir), work / "uploads")
    reindex(make_sessionmaker(engine), context)
    context.backend.close()
    engine.dispose()
    env = {
        **os.environ, "DATABASE_URL": db_url, "UPLOAD_DIR": str(work / "uploads"), "SECRET_KEY": "bench-" + "k" * 32,
        "SEARCH_INDEX_DIR": str(index_dir),
    }  # fmt: skip
    results = {}
    for label, spec, path in (
        ("bare Flask page", "bench.bare_app:app", "/"),
        ("Dela entry page", "wsgi:app", "/methods/metod-42"),
    ):
        process, port = start_gunicorn(spec, env, args.workers)
        try:
            print(f"loading {label} for {args.seconds:.0f} s …", flush=True)
            results[label] = load(port, path, args.seconds, args.threads)
            print(f"  {results[label]['rate']:.0f} req/s, p50 {results[label]['p50_ms']:.1f} ms", flush=True)
        finally:
            process.terminate()
            process.wait(timeout=10)

    ratio = results["Dela entry page"]["rate"] / results["bare Flask page"]["rate"]
    lines = [
        "# Dela benchmarks",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `make bench` (bench/run.py) on: {machine()}.",
        "Timings on shared 2-core machines vary by about ±25 % between runs; the ratio measured within one run is steadier.",
        "",
        "## Content import",
        "",
        f"{args.entries} generated entries (five sections of 60 words each, all fields filled) imported like `flask content import`: parse, validate, store with one revision each, commit every 200. "
        "The Markdown is rendered when an entry is first viewed (revisions carry the renderer version), not during the import.",
        "",
        "| database | entries | seconds | entries/s | goal |",
        "| --- | --- | --- | --- | --- |",
        f"| SQLite (WAL) | {sqlite_import['created']} | {sqlite_import['seconds']:.1f} | {sqlite_import['rate']:.0f} | ≥ 500 |",
    ]
    if pg_import:
        lines.append(
            f"| PostgreSQL 15 (local) | {pg_import['created']} | {pg_import['seconds']:.1f} | {pg_import['rate']:.0f} | ≥ 500 |"
        )
    lines += [
        "",
        "## Page rate under gunicorn",
        "",
        f"gunicorn, {args.workers} sync workers, {args.threads} client threads on the same machine for {args.seconds:.0f} s each, a new connection per request. "
        "The entry page is a real entry of the imported book requested without cookies, as a visitor's browser does: after the first request it comes "
        "from the visitor page cache (app/pagecache.py), which checks the entry's current revision with one query per request. "
        "Signed-in members' requests go through Flask with the rendered article cached per revision.",
        "",
        "| page | requests | req/s | p50 ms | p95 ms | errors |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for label, r in results.items():
        lines.append(
            f"| {label} | {r['requests']} | {r['rate']:.0f} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {r['errors']} |"
        )
    lines += ["", f"Entry page rate / bare page rate: **{ratio:.2f}** (goal ≥ 0.5).", ""]
    lines += [
        "## Search",
        "",
        "Search engines at 1k, 10k and 50k entries: [benchmarks-search.md](benchmarks-search.md) (bench/search_bench.py).",
        "",
    ]
    return write_report(lines, args.out)


if __name__ == "__main__":
    sys.exit(main())
