"""Write every example credential of lakeshore.py as CTDL JSON-LD and as CSV (run from the repository root:
`python examples/credentials/build.py`). The files are committed; this script is how they were made."""

from __future__ import annotations

import json
import sys
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from lakeshore import CREDENTIALS, OWNER, REGION  # noqa: E402

from service.credentials.formats import ParsedCompetency, ParsedCredential  # noqa: E402
from service.credentials.formats.csv_read import write_csv  # noqa: E402
from service.credentials.formats.ctdl_write import write_ctdl  # noqa: E402

AUTHOR = "Lakeshore Community College"


def parsed(entry: dict) -> ParsedCredential:
    base = uuid.UUID(entry["ctid"][3:])
    return ParsedCredential(
        name=entry["name"],
        source_format="ctdl",
        ctid=entry["ctid"],
        description=entry["description"],
        url=entry["url"],
        type=entry["type"],
        occupations=list(entry["occupations"]),
        region=REGION,
        language="en",
        framework_ctid=f"ce-{uuid.uuid5(base, 'framework')}",
        extra={
            "ctdl": {"ceterms:ownedBy": [OWNER], "ceterms:offeredBy": [OWNER]},
            "framework": {"name": f"{entry['name']} Competencies"},
        },
        competencies=[
            ParsedCompetency(
                text=text,
                ext_id=f"ce-{uuid.uuid5(base, str(i))}",
                label=label,
                category=category,
                level=level,
                domain=domain,
            )
            for i, (text, label, category, level, domain) in enumerate(entry["competencies"], start=1)
        ],
    )


def main() -> None:
    for entry in CREDENTIALS:
        credential = parsed(entry)
        (HERE / f"{entry['slug']}.jsonld").write_text(
            json.dumps(write_ctdl(credential, author=AUTHOR), indent=2, ensure_ascii=False) + "\n",
            encoding="utf-8",
        )
        (HERE / f"{entry['slug']}.csv").write_text(write_csv([credential]), encoding="utf-8")
        print(f"{entry['slug']}: {len(credential.competencies)} competencies")


if __name__ == "__main__":
    main()
