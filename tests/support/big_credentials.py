"""Credential documents of any size, built in memory (the limits of one import are tested with them)."""

from __future__ import annotations

import json


def ctdl_graph(competencies: int, name: str = "Huge Certificate") -> bytes:
    """A CTDL JSON-LD graph: one certificate, its framework and `competencies` short competency nodes."""
    framework = "_:f"
    nodes: list[dict] = [
        {
            "@id": "https://example.org/resources/ce-credential-huge",
            "@type": "ceterms:Certificate",
            "ceterms:name": {"en": name},
            "ceterms:requires": [
                {"@type": "ceterms:ConditionProfile", "ceasn:targetCompetencyFramework": [framework]}
            ],
        },
        {
            "@id": framework,
            "@type": "ceasn:CompetencyFramework",
            "ceasn:name": {"en": f"{name} competencies"},
        },
    ]
    nodes.extend(
        {
            "@id": f"_:{i}",
            "@type": "ceasn:Competency",
            "ceasn:competencyText": f"Weld {i}",
            "ceasn:isPartOf": framework,
        }
        for i in range(competencies)
    )
    return json.dumps(
        {"@context": "https://credreg.net/ctdlasn/schema/context/json", "@graph": nodes},
        separators=(",", ":"),
    ).encode()
