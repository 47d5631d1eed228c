"""Entry point of `make bench`: see benchmarks/__init__.py."""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import benchmarks as bench
from benchmarks.report import machine, render

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432"
PG_DB = "bench_shangmi"


def _fresh_postgres(server: str) -> str:
    import psycopg

    with psycopg.connect(server.replace("postgres://", "postgresql://") + "/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PG_DB}")
    return f"{server}/{PG_DB}"


def _fresh_sqlite(workdir: Path) -> str:
    db = workdir / "bench.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    return f"sqlite:///{db}"


def run_one(db: str, args: argparse.Namespace) -> dict[str, Any]:
    workdir = ROOT / "var" / "bench" / db
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    url = _fresh_sqlite(workdir) if db == "sqlite" else _fresh_postgres(args.postgres)
    out_json = workdir / "result.json"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        # DEBUG off, as in production: no query log, no debug pages.
        "SHANGMI_DEBUG": "0",
        "SHANGMI_SECRET_KEY": "bench-only-not-secret",
        "SHANGMI_LOG_LEVEL": "ERROR",
    }
    cmd = [
        sys.executable,
        "-m",
        "benchmarks.run_db",
        f"--size={args.size}",
        f"--requests={args.requests}",
        f"--workdir={workdir}",
        f"--json={out_json}",
    ]
    if args.import_rows:
        cmd.append(f"--import-rows={args.import_rows}")
    cmd += [f"--ledger-entries={args.ledger_entries}", f"--survey-answers={args.survey_answers}"]
    if args.skip:
        cmd.append(f"--skip={args.skip}")
    started = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=ROOT, check=False)
    if proc.returncode != 0 or not out_json.exists():
        return {"vendor": db, "error": f"run_db exited with {proc.returncode}"}
    result = json.loads(out_json.read_text())
    result["wall_s"] = round(time.perf_counter() - started, 1)
    return result


def main() -> None:
    if sys.argv[1:2] == ["evidence"]:
        # `python -m benchmarks evidence [--help]`: the evidence deposit part alone.
        from benchmarks import evidence

        sys.exit(evidence.main(sys.argv[2:]))
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description=bench.__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--size", type=int, default=100_000, help="enterprises in the data set (default 100,000)")
    parser.add_argument("--import-rows", type=int, default=None, help="rows of the import file (default: --size)")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--requests", type=int, default=50, help="timed requests per list case (default 50)")
    parser.add_argument("--postgres", default=os.environ.get("SHANGMI_BENCH_POSTGRES", DEFAULT_PG))
    parser.add_argument("--ledger-entries", type=int, default=1_000_000, help="ledger rows (default 1,000,000)")
    parser.add_argument("--survey-answers", type=int, default=10_000, help="answers in the report case")
    parser.add_argument("--skip", default="", help="parts to leave out: list,export,import,ledgers,evidence")
    parser.add_argument("--out", default=str(ROOT / "bench-results"))
    args = parser.parse_args()

    results_dir = Path(args.out)
    results_dir.mkdir(parents=True, exist_ok=True)
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    started = time.perf_counter()
    report: dict[str, Any] = {
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "command": " ".join([Path(sys.executable).name, "-m", "benchmarks", *sys.argv[1:]]),
        "machine": machine(),
        "python": platform.python_version(),
        "size": args.size,
        "results": {},
    }
    for db in dbs:
        report["results"][db] = run_one(db, args)
    report["total_s"] = round(time.perf_counter() - started, 1)
    report["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = results_dir / f"bench-{stamp}.json"
    text = json.dumps(report, ensure_ascii=False, indent=2)
    path.write_text(text)
    (results_dir / "latest.json").write_text(text)
    print(render(report))
    print(f"\nfigures written to {path}")
    evidence_failed = False
    if "evidence" not in args.skip.split(","):
        from benchmarks import evidence

        print()
        evidence_failed = evidence.main(["--db", args.db, "--postgres", args.postgres, "--out", args.out]) != 0
    if any("error" in r for r in report["results"].values()) or evidence_failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
