"""`skillpulse postings import FILE`: CSV, JSON lines and JSON-LD files, all or nothing."""

from __future__ import annotations

import asyncio
import os
import subprocess
from pathlib import Path

from tests.support.postings import SKILLPULSE, org_postings

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "postings"


async def cli(database_url: str, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, SKILLPULSE_DATABASE_URL=database_url, SKILLPULSE_ENV="test", COLUMNS="200")
    return await asyncio.to_thread(
        subprocess.run,
        [SKILLPULSE, "postings", "import", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


async def test_example_files_import_and_reimport_unchanged(app, tenant, database_url):
    for name, count in [("postings.csv", 3), ("postings.jsonl", 3), ("postings.jsonld", 2)]:
        result = await cli(database_url, str(EXAMPLES / name), "--org", tenant.name)
        assert result.returncode == 0, result.stderr
        assert f"{count} new" in result.stderr
    again = await cli(database_url, str(EXAMPLES / "postings.csv"), "--org", tenant.name)
    assert "0 new, 0 updated, 3 unchanged" in again.stderr

    rows = {p.external_id: p for p in await org_postings(app, tenant.org_id)}
    assert len(rows) == 8
    assert rows["ex-csv-1"].source == "file:postings.csv" and rows["ex-csv-1"].occupation_code == "15-1232.00"
    assert "- CompTIA A+ certification preferred" in rows["ex-csv-1"].text.split("\n")
    assert rows["ex-jl-1"].source == "example-jsonl"
    assert "- Query data with SQL and build dashboards in Tableau" in rows["ex-jl-1"].text.split("\n")
    assert rows["ns-101"].occupation_code == "51-9162.00" and rows["ns-101"].region == "Toledo, OH, US"


async def test_a_file_with_bad_lines_imports_nothing_unless_asked(app, tenant, database_url, tmp_path):
    bad = tmp_path / "mixed.jsonl"
    bad.write_text(
        '{"external_id": "ok-1", "title": "Welder", "text": "MIG welding"}\n'
        "not json\n"
        '{"external_id": "bad-2", "title": "Welder"}\n'
        '{"external_id": "bad-3", "title": "Welder", "text": "x", "occupation": "welding"}\n'
    )
    result = await cli(database_url, str(bad), "--org", tenant.name, "--source", "mixed")
    assert result.returncode == 1
    assert "line 2: not JSON" in result.stderr and "line 3" in result.stderr and "O*NET-SOC" in result.stderr
    assert "nothing imported" in result.stderr
    assert await org_postings(app, tenant.org_id) == []

    kept = await cli(database_url, str(bad), "--org", tenant.name, "--source", "mixed", "--skip-invalid")
    assert kept.returncode == 0, kept.stderr
    assert [p.external_id for p in await org_postings(app, tenant.org_id)] == ["ok-1"]


async def test_unknown_org_format_and_unreadable_files_fail_clearly(tenant, database_url, tmp_path):
    odd = tmp_path / "postings.xlsx"
    odd.write_bytes(b"PK\x03\x04")
    assert "cannot tell the format" in (await cli(database_url, str(odd), "--org", tenant.name)).stderr
    result = await cli(database_url, str(EXAMPLES / "postings.csv"), "--org", "No Such Org")
    assert result.returncode == 1 and "no organisation named" in result.stderr
    headerless = tmp_path / "bad.csv"
    headerless.write_text("a,b\n1,2\n")
    result = await cli(database_url, str(headerless), "--org", tenant.name)
    assert result.returncode == 1 and "lacks column" in result.stderr
