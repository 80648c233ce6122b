"""`python -m bench`: run every benchmark as its own process, collect the JSON line each prints last, and
write one Markdown table with the machine it ran on (bench/results/latest.md and stdout).

Each benchmark runs in a subprocess so that one crash, leak or model load does not colour the next figure, and
so that the table is exactly what `python bench/bench_X.py --json` prints by hand. Quick mode uses small
counts (minutes on 2 cores); the full mode uses the sizes of the issue (10,000 survey submissions with 200 in
flight, 100,000 postings, one million posting-skill rows, a 2,000-competency framework).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"


@dataclass
class Bench:
    """One benchmark script, its arguments per mode, and how its JSON figures read in the table."""

    name: str
    script: str
    quick: list[str]
    full: list[str]
    describe: callable = field(repr=False)  # type: ignore[valid-type]
    timeout: int = 3600


def _surveys_size(mode: str) -> list[str]:
    return (
        ["--count", "1000", "--concurrency", "100"]
        if mode == "quick"
        else ["--count", "10000", "--concurrency", "200"]
    )


BENCHES = [
    Bench(
        "extraction",
        "bench_extract.py",
        ["--repeat", "1"],
        ["--repeat", "2"],
        lambda f: (
            f"{f['words_per_second']:,} words/s on one core",
            f"{f['words']:,} words, {f['texts']} texts, {f['source']}, extractor {f['extractor_version']}",
        ),
    ),
    Bench(
        "postings intake + extraction",
        "bench_postings.py",
        ["--count", "2000"],
        ["--count", "100000"],
        lambda f: (
            f"{f['end_to_end_per_second']:,} postings/s end to end (intake {f['intake_per_second']:,}/s)",
            f"{f['count']:,} postings, {f['workers']} workers, {f['cpu_s_per_1000']} CPU-s per 1000; "
            f"{'each stored and extracted once' if f['ok'] else 'MISMATCH'}",
        ),
        timeout=3 * 3600,
    ),
    Bench(
        "survey submissions",
        "bench_surveys.py",
        _surveys_size("quick"),
        _surveys_size("full"),
        lambda f: (
            f"{f['per_second']:,} submissions/s, p50 {f['p50_ms']:.0f} ms, p99 {f['p99_ms']:.0f} ms",
            f"{f['count']:,} submissions, {f['concurrency']} in flight, {f['workers']} uvicorn workers, "
            f"{f['server_cpu_ms']} ms server CPU each; {'each stored once' if f['ok'] else 'MISMATCH'}",
        ),
    ),
    Bench(
        "baseline: bare Litestar + asyncpg INSERT",
        "baseline_app.py",
        _surveys_size("quick"),
        _surveys_size("full"),
        lambda f: (
            f"{f['per_second']:,} submissions/s, p50 {f['p50_ms']:.0f} ms, p99 {f['p99_ms']:.0f} ms",
            f"same load generator, {f['count']:,} submissions, {f['concurrency']} in flight, "
            f"{f['workers']} uvicorn workers",
        ),
    ),
    Bench(
        "drift run",
        "bench_drift.py",
        ["--rows", "100000", "--credentials", "40"],
        ["--rows", "1000000"],
        lambda f: (
            f"{f['run_seconds']} s",
            f"{f['rows']:,} posting-skill rows, {f['alerts']} alerts "
            f"({f['planted_alerts']} about the planted concept), {f['status']}",
        ),
    ),
    Bench(
        "credential import",
        "bench_import.py",
        ["--competencies", "300"],
        ["--competencies", "2000"],
        lambda f: (
            f"{f['import_seconds']} s",
            f"{f['competencies']:,} competencies linked "
            f"({f['links_suggested']:,} links, {f['processes']} NLP processes, {f['database']}); "
            f"unchanged re-import {f['reimport_seconds']} s",
        ),
    ),
]


def machine() -> dict[str, str]:
    """What the figures were measured on: CPU model, cores, memory, Python, PostgreSQL, load at the start."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown",
    )
    mem_kb = next(
        (
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        0,
    )
    return {
        "CPU": cpu,
        "cores": str(os.cpu_count()),
        "memory": f"{mem_kb / 1024 / 1024:.1f} GiB",
        "Python": platform.python_version(),
        "PostgreSQL": _postgres_version(),
        "OS": f"{platform.system()} {platform.release()}",
        "load average at start": " ".join(f"{x:.1f}" for x in os.getloadavg()),
    }


def _postgres_version() -> str:
    import asyncpg

    async def ask() -> str:
        conn = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/postgres", timeout=5)
        try:
            return await conn.fetchval("SHOW server_version")
        finally:
            await conn.close()

    try:
        return asyncio.run(ask())
    except (TimeoutError, OSError) as exc:
        return f"not reachable on 127.0.0.1:5432 ({exc.__class__.__name__})"


def run_one(bench: Bench, mode: str, log_dir: Path) -> tuple[dict | None, float, str]:
    """Run one script with --json; its figures (the last JSON line), the wall seconds, and an error if any."""
    args = bench.quick if mode == "quick" else bench.full
    command = [sys.executable, str(ROOT / "bench" / bench.script), *args, "--json"]
    started = time.perf_counter()
    log = log_dir / f"{Path(bench.script).stem}.log"
    try:
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=bench.timeout)  # noqa: S603
    except subprocess.TimeoutExpired:
        return None, time.perf_counter() - started, f"timed out after {bench.timeout} s"
    seconds = time.perf_counter() - started
    log.write_text(f"$ {' '.join(command)}\n{done.stdout}\n--- stderr ---\n{done.stderr}")
    figures = None
    for line in reversed(done.stdout.splitlines()):
        if line.startswith("{"):
            try:
                figures = json.loads(line)
                break
            except json.JSONDecodeError:
                continue
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or done.stdout.strip().splitlines() or ["no output"])[-1]
        return figures, seconds, f"exit {done.returncode}: {tail[:200]}"
    if figures is None:
        return None, seconds, "no JSON line in its output"
    return figures, seconds, ""


def table(mode: str, info: dict[str, str], rows: list[tuple[Bench, dict | None, float, str]]) -> str:
    lines = [
        f"# skillpulse benchmarks ({mode} mode, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC)",
        "",
        "| machine | |",
        "|---|---|",
        *(f"| {key} | {value} |" for key, value in info.items()),
        "",
        "| benchmark | figure | conditions | wall time |",
        "|---|---|---|---|",
    ]
    by_name = {}
    for bench, figures, seconds, error in rows:
        if figures is not None:
            figure, conditions = bench.describe(figures)
            by_name[bench.script] = figures
            if error:
                conditions += f"; **check failed** ({error}, see its log)"
        else:
            figure, conditions = "**failed**", error or "no figures"
        lines.append(f"| {bench.name} | {figure} | {conditions} | {seconds:.0f} s |")
    survey, baseline = by_name.get("bench_surveys.py"), by_name.get("baseline_app.py")
    if survey and baseline and baseline["per_second"]:
        lines += [
            "",
            f"**Survey form ÷ bare baseline: {survey['per_second'] / baseline['per_second']:.2f}** of the "
            f"throughput ({survey['per_second']:,} vs {baseline['per_second']:,} submissions/s), p99 "
            f"{survey['p99_ms']:.0f} ms vs {baseline['p99_ms']:.0f} ms, same load generator, concurrency and "
            "worker count, measured in this run.",
        ]
    lines += [
        "",
        f"Command: `python -m bench{' --quick' if mode == 'quick' else ''}`; each row's full output is in "
        "bench/results/logs/. The machine is shared: the load average above is part of the conditions.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small counts (minutes, not an hour)")
    parser.add_argument(
        "--only", nargs="*", metavar="SCRIPT", help="run only these (e.g. bench_surveys baseline_app)"
    )
    parser.add_argument("--output", type=Path, default=RESULTS / "latest.md")
    args = parser.parse_args(argv)
    mode = "quick" if args.quick else "full"
    log_dir = RESULTS / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    info = machine()
    selected = [b for b in BENCHES if not args.only or Path(b.script).stem in args.only]
    rows = []
    for bench in selected:
        print(f"… {bench.name} ({bench.script}, {mode})", file=sys.stderr, flush=True)
        figures, seconds, error = run_one(bench, mode, log_dir)
        print(f"  {'failed: ' + error if error else 'done'} in {seconds:.0f} s", file=sys.stderr, flush=True)
        rows.append((bench, figures, seconds, error))
    text = table(mode, info, rows)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text)
    print(text)
    return 1 if any(error for *_, error in rows) else 0
