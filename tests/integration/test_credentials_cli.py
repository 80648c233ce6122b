"""`skillpulse credentials import|list|export` run as a user runs them (in-process: tests/support/cli.py),
against the test database."""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

from tests.support.cli import Ran, run_cli

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "credentials"


def run(database_url: str, *args: str) -> Ran:
    """The command in-process (what it does is tested here, not its process); the environment is the
    suite's (monkeypatched values too) plus this database."""
    env = {
        **os.environ,
        "SKILLPULSE_DATABASE_URL": database_url,
        "SKILLPULSE_SECRET_KEY": "test-secret-key-0123456789",
        "SKILLPULSE_ENV": "test",
        "COLUMNS": "200",
    }
    return run_cli(env, *args)


def test_cli_import_reimport_list_export(database_url, tmp_path):
    org = f"CLI College {uuid.uuid4().hex[:8]}"
    created = run(
        database_url, "users", "create", "--org", org, "--email", f"{uuid.uuid4().hex[:8]}@cli.example"
    )
    assert created.returncode == 0, created.stderr

    first = run(database_url, "credentials", "import", str(EXAMPLES / "medical-assistant.csv"), "--org", org)
    assert first.returncode == 0, first.stderr
    assert "created credential" in first.stderr and "13 competencies added" in first.stderr
    assert "linking" in first.stderr  # the progress display

    second = run(
        database_url, "credentials", "import", str(EXAMPLES / "medical-assistant.jsonld"), "--org", org
    )
    assert second.returncode == 0, second.stderr
    assert "updated credential" in second.stderr and "13 unchanged" in second.stderr

    listed = run(database_url, "credentials", "list", "--org", org, "--json")
    assert listed.returncode == 0, listed.stderr
    [item] = json.loads(listed.stdout)
    assert item["name"] == "Medical Assistant Certificate" and item["competency_count"] == 13

    exported = run(database_url, "credentials", "export", str(item["id"]), "--org", org)
    assert exported.returncode == 0, exported.stderr
    document = json.loads(exported.stdout)
    assert sum(node["@type"] == "ceasn:Competency" for node in document["@graph"]) == 13

    case = tmp_path / "standards.json"
    case.write_text(
        json.dumps(
            {
                "CFDocument": {
                    "identifier": str(uuid.uuid4()),
                    "title": "Phlebotomy Standards",
                    "language": "en",
                },
                "CFItems": [
                    {
                        "identifier": str(uuid.uuid4()),
                        "fullStatement": "Perform venipuncture on adult patients",
                    }
                ],
            }
        )
    )
    from_case = run(database_url, "credentials", "import", str(case), "--org", org)
    assert from_case.returncode == 0, from_case.stderr
    assert "(case)" in from_case.stderr and "1 competencies added" in from_case.stderr
    native = tmp_path / "native.json"
    native.write_text(
        json.dumps(
            {
                "name": "Phlebotomy Badge",
                "type": "Badge",
                "occupations": ["31-9097.00"],
                "competencies": [{"text": "Label and store blood specimens", "level": 2}],
            }
        )
    )
    from_native = run(database_url, "credentials", "import", str(native), "--org", org, "--no-link")
    assert from_native.returncode == 0, from_native.stderr
    assert "(json)" in from_native.stderr and "0 skill links suggested" in from_native.stderr
    names = {
        item["name"]
        for item in json.loads(run(database_url, "credentials", "list", "--org", org, "--json").stdout)
    }
    assert names == {"Medical Assistant Certificate", "Phlebotomy Standards", "Phlebotomy Badge"}

    bad = tmp_path / "bad.csv"
    bad.write_text("credential_name,competency_text,competency_level\nX,Take vital signs,12\n")
    failed = run(database_url, "credentials", "import", str(bad), "--org", org)
    assert failed.returncode == 1
    assert "row 2, competency_level" in failed.stderr and "nothing was stored" in failed.stderr
    missing_org = run(database_url, "credentials", "import", str(bad), "--org", "No Such Org")
    assert missing_org.returncode == 1 and "no organisation named" in missing_org.stderr


def test_cli_export_case_and_base_url(database_url, monkeypatch):
    org = f"CLI Export {uuid.uuid4().hex[:8]}"
    created = run(
        database_url, "users", "create", "--org", org, "--email", f"{uuid.uuid4().hex[:8]}@cli.example"
    )
    assert created.returncode == 0, created.stderr
    assert (
        run(database_url, "credentials", "import", str(EXAMPLES / "welding.jsonld"), "--org", org).returncode
        == 0
    )
    [item] = json.loads(run(database_url, "credentials", "list", "--org", org, "--json").stdout)

    base = "https://credentials.cli.example/ctdl/"
    monkeypatch.setenv("SKILLPULSE_CREDENTIALS_CTDL_BASE_URL", base.rstrip("/"))
    ctdl = run(database_url, "credentials", "export", str(item["id"]), "--org", org, "--suggested")
    assert ctdl.returncode == 0, ctdl.stderr
    document = json.loads(ctdl.stdout)
    assert all(node["@id"].startswith(base) for node in document["@graph"])
    assert any("ceasn:minorAlignment" in node for node in document["@graph"])

    case = run(database_url, "credentials", "export", str(item["id"]), "--org", org, "--format", "case")
    assert case.returncode == 0, case.stderr
    package = json.loads(case.stdout)
    assert package["CFDocument"]["uri"].startswith(base + "case/") and len(package["CFItems"]) == 12

    wrong = run(database_url, "credentials", "export", str(item["id"]), "--org", org, "--format", "pdf")
    assert wrong.returncode == 2 and "--format must be ctdl or case" in wrong.stderr
    monkeypatch.setenv("SKILLPULSE_CREDENTIALS_CTDL_BASE_URL", "ftp://nowhere")
    bad = run(database_url, "credentials", "export", str(item["id"]), "--org", org)
    assert bad.returncode != 0 and "SKILLPULSE_CREDENTIALS_CTDL_BASE_URL" in bad.stderr + bad.stdout
