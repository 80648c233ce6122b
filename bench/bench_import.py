"""Import a competency framework of 2,000 competencies, linking included, and print how long it took.

    .venv/bin/python bench/bench_import.py [--competencies 2000] [--processes N] [--database-url URL]

Target: under 30 s on a 2-core machine (the NLP worker start and model load included). The framework is CTDL
JSON-LD built from realistic statement parts (verbs × work objects × settings), all different. The database is
a throwaway SQLite file unless --database-url names another (it must be migrated and will get a new org).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

VERBS = [
    "Install and configure",
    "Troubleshoot",
    "Maintain",
    "Document",
    "Inspect",
    "Operate",
    "Set up",
    "Calibrate",
    "Analyse",
    "Monitor",
    "Secure",
    "Repair",
    "Program",
    "Test",
    "Design",
    "Explain",
    "Evaluate",
    "Plan",
    "Administer",
    "Optimise",
]
OBJECTS = [
    "Windows workstations",
    "Linux servers",
    "network switches and routers",
    "firewalls",
    "relational databases",
    "SQL queries",
    "Python scripts",
    "cloud storage in Amazon Web Services",
    "Active Directory accounts",
    "wireless access points",
    "CNC milling machines",
    "CNC lathes",
    "G-code programs",
    "coordinate measuring machines",
    "MIG welding equipment",
    "TIG welding equipment",
    "oxy-fuel cutting torches",
    "blueprints and welding symbols",
    "electronic health records",
    "ECG machines",
    "blood pressure monitors",
    "patient appointment schedules",
    "medical billing codes",
    "infection control procedures",
    "Excel pivot tables",
    "Tableau dashboards",
    "statistical models",
    "data pipelines",
    "backup systems",
    "printers and peripherals",
    "VPN connections",
    "security incident reports",
    "vulnerability scans",
    "hydraulic systems",
    "programmable logic controllers",
    "forklifts",
    "inventory records",
    "customer support tickets",
    "project schedules",
    "safety data sheets",
    "electrical circuits",
    "HVAC systems",
    "solar panels",
    "industrial robots",
    "quality control charts",
    "lab specimens",
    "pharmacy orders",
    "payroll records",
    "web applications",
    "mobile devices",
]
SETTINGS = ["in a small business", "in a hospital", "in a manufacturing plant", "for remote users"]


def statements(n: int) -> list[str]:
    combos = itertools.product(SETTINGS, OBJECTS, VERBS)
    out = [f"{verb} {obj} {setting}" for setting, obj, verb in itertools.islice(combos, n)]
    if len(out) < n:
        raise SystemExit(f"at most {len(VERBS) * len(OBJECTS) * len(SETTINGS)} distinct statements")
    return out


def framework(n: int) -> bytes:
    ctid = f"ce-{uuid.uuid4()}"
    fid = f"https://credentialengineregistry.org/resources/{ctid}"
    nodes: list[dict] = [
        {
            "@id": fid,
            "@type": "ceasn:CompetencyFramework",
            "ceterms:ctid": ctid,
            "ceasn:name": {"en": f"Benchmark framework of {n} competencies"},
            "ceasn:description": {"en": "Benchmark."},
            "ceasn:inLanguage": ["en"],
        }
    ]
    for i, text in enumerate(statements(n)):
        cid = f"ce-{uuid.uuid4()}"
        nodes.append(
            {
                "@id": f"https://credentialengineregistry.org/resources/{cid}",
                "@type": "ceasn:Competency",
                "ceterms:ctid": cid,
                "ceasn:competencyText": {"en": text},
                "ceasn:isPartOf": [fid],
                "ceasn:conceptTerm": [f"urn:connecting-credentials:level:{1 + i % 8}"],
            }
        )
    return json.dumps(
        {"@context": "https://credreg.net/ctdlasn/schema/context/json", "@graph": nodes}
    ).encode()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--competencies", type=int, default=2000)
    parser.add_argument(
        "--processes", type=int, default=None, help="NLP worker processes (default: settings)"
    )
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--json", action="store_true", help="also print the figures as one final JSON line")
    args = parser.parse_args()

    from service.auth.services import get_or_create_org
    from service.credentials.importing import import_credential_file
    from service.db import create_engine, session_scope, upgrade
    from service.nlp_runner import NlpRunner
    from service.settings import build_settings

    tmp = tempfile.TemporaryDirectory()
    url = args.database_url or f"sqlite+aiosqlite:///{tmp.name}/bench.db"
    if not args.database_url:
        await asyncio.to_thread(upgrade, url)
    settings = build_settings(
        database={"url": url}, server={"env": "test", "secret_key": "bench-secret-key-0123456789"}
    )
    processes = args.processes or settings.server.nlp_processes
    engine = create_engine(settings)
    runner = NlpRunner(processes)
    body = framework(args.competencies)
    try:
        async with session_scope(engine) as session:
            org, _ = await get_or_create_org(session, f"Bench {uuid.uuid4().hex[:8]}")
        started = time.perf_counter()
        async with session_scope(engine) as session:
            report = await import_credential_file(session, org.id, body, "application/ld+json", runner)
        first = time.perf_counter() - started
        started = time.perf_counter()
        async with session_scope(engine) as session:
            again = await import_credential_file(session, org.id, body, "application/ld+json", runner)
        second = time.perf_counter() - started
    finally:
        runner.shutdown()
        await engine.dispose()
        tmp.cleanup()
    [result] = report.credentials
    print(
        f"import of {result.competencies_added} competencies with linking ({processes} NLP process"
        f"{'es' if processes > 1 else ''}, {url.split(':')[0]}): {first:.1f} s "
        f"({result.links_suggested} links suggested); re-import unchanged: {second:.1f} s "
        f"({again.credentials[0].competencies_unchanged} unchanged); "
        f"target < 30 s: {'met' if first < 30 else 'MISSED'}"
    )
    if args.json:
        print(
            json.dumps(
                {
                    "competencies": result.competencies_added,
                    "import_seconds": round(first, 2),
                    "reimport_seconds": round(second, 2),
                    "links_suggested": result.links_suggested,
                    "processes": processes,
                    "database": url.split(":")[0],
                }
            )
        )


if __name__ == "__main__":
    asyncio.run(main())
