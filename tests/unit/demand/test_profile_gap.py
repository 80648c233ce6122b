"""The profile gap's pure rules on the real O*NET / ESCO profiles of the demo credentials' occupations."""

from __future__ import annotations

import pytest

from service.demand.profile_gap import (
    CORE_TASK,
    DWA,
    ESCO_ESSENTIAL,
    GROUPS,
    HOT_TECHNOLOGY,
    SUPPLEMENTAL_TASK,
    TOOL,
    occupation_profile,
    profile_gap,
)

WELDING = ["51-4121.00", "51-4122.00"]  # examples/credentials/welding.csv
OPERATE_WELDING = "urn:onet:dwa:4.A.3.a.2.I35.D05"  # "Operate welding equipment."
MAINTAIN_SAFETY = "urn:onet:dwa:4.A.3.a.1.I11.D13"
MIG_WELDERS = "urn:onet:tool:metal-inert-gas-mig-welders"
TIG = "urn:onet:tool:tungsten-inert-gas-tig-welding-equipment"
ARC_WELDING = "http://data.europa.eu/esco/skill/27d26fd6-5795-4f0a-884e-112df7c68314"  # apply arc welding…
EXCEL = "urn:onet:tech:microsoft-excel"


@pytest.fixture(scope="module")
def welding():
    return occupation_profile(WELDING)


def _groups(profile, covered):
    return {g.kind: g for g in profile_gap(profile, covered)}


def _item(group, id_):
    return next(i for i in group.items if i.id == id_)


def test_the_welding_profile_lists_what_onet_and_esco_say(welding):
    assert [code for code, _ in welding.occupations] == WELDING
    assert "welder" in {name for _, name in welding.esco_occupations}
    groups = _groups(welding, set())
    assert list(groups) == list(GROUPS)
    assert all(g.listed > 0 for g in groups.values())
    assert all(g.covered == 0 for g in groups.values())
    # a task, a DWA and a technology shared by both occupations are listed once, naming both
    operate = _item(groups[DWA], OPERATE_WELDING)
    assert operate.core and len(operate.sources) == 2
    assert operate.sentence == (
        "O*NET lists 'Operate welding equipment' as a core work activity of Welders, Cutters, Solderers, and "
        "Brazers and Welding, Soldering, and Brazing Machine Setters, Operators, and Tenders; "
        "no competency covers it"
    )
    assert EXCEL in {i.id for i in groups[HOT_TECHNOLOGY].items}
    assert "urn:onet:tech:enterprise-resource-planning-erp-software" not in {  # not hot for welders
        i.id for i in groups[HOT_TECHNOLOGY].items
    }
    assert {MIG_WELDERS, TIG} <= {i.id for i in groups[TOOL].items}
    assert _item(groups[ESCO_ESSENTIAL], ARC_WELDING).sentence.startswith(
        "ESCO lists 'apply arc welding techniques' as an essential skill of "
    )
    ids = [i.id for g in groups.values() for i in g.items]
    assert len(ids) == len(set(ids))


def test_mig_tig_competencies_covering_the_welding_dwa_cover_its_tasks(welding):
    covered = {OPERATE_WELDING, MIG_WELDERS, TIG, ARC_WELDING}
    groups = _groups(welding, covered)
    weld = _item(groups[CORE_TASK], "23582")  # "Weld components in flat, vertical, or overhead positions."
    assert weld.covered and OPERATE_WELDING in weld.dwa_ids
    assert weld.sentence.endswith("covered through its work activity 'Operate welding equipment'")
    safety = _item(groups[CORE_TASK], "23583")  # "Operate safety equipment and use safe work habits."
    assert not safety.covered and OPERATE_WELDING not in safety.dwa_ids
    assert safety.sentence == (
        "O*NET lists 'Operate safety equipment and use safe work habits' as a core task of Welders, Cutters, "
        "Solderers, and Brazers; no competency covers it"
    )
    assert _item(groups[DWA], OPERATE_WELDING).covered
    assert not _item(groups[DWA], MAINTAIN_SAFETY).covered
    assert groups[DWA].covered == 1
    assert groups[TOOL].covered == 2 and groups[ESCO_ESSENTIAL].covered == 1
    assert groups[HOT_TECHNOLOGY].covered == 0 and not _item(groups[HOT_TECHNOLOGY], EXCEL).covered
    assert groups[CORE_TASK].covered == sum(
        1 for i in groups[CORE_TASK].items if OPERATE_WELDING in i.dwa_ids
    )
    assert 0 < groups[CORE_TASK].covered < groups[CORE_TASK].listed
    assert all(i.kind == SUPPLEMENTAL_TASK for i in groups[SUPPLEMENTAL_TASK].items)


def test_no_equivalence_between_schemes(welding):
    """An ESCO skill covered does not cover the DWA of the same meaning (and the reverse): documented."""
    groups = _groups(welding, {ARC_WELDING})
    assert not _item(groups[DWA], OPERATE_WELDING).covered
    assert groups[CORE_TASK].covered == 0


def test_tasks_onet_links_to_no_work_activity_say_so():
    """51-9161.00 (CNC tool operators) has tasks but no task → DWA link in the shared O*NET extract;
    51-4041.00 (machinists) is an nlp evaluation occupation and still gets its DWAs here."""
    profile = occupation_profile(["51-9161.00", "51-4041.00", "99-9999.99"])
    assert profile.unknown == ["99-9999.99"]
    groups = _groups(profile, set())
    cnc = [
        i for i in groups[CORE_TASK].items if i.sources == ("Computer Numerically Controlled Tool Operators",)
    ]
    assert cnc and all(not i.dwa_ids and not i.covered for i in cnc)
    assert cnc[0].sentence.endswith(
        "O*NET links it to no work activity here, so no competency can be shown to cover it"
    )
    assert any("Machinists" in i.sources for i in groups[DWA].items)


def test_the_medical_assistant_profile():
    groups = _groups(occupation_profile(["31-9092.00"]), set())
    assert groups[CORE_TASK].listed > 0 and groups[DWA].listed > 0 and groups[ESCO_ESSENTIAL].listed > 0
    assert any("Medical Assistants" in i.sentence for i in groups[CORE_TASK].items)


def test_nothing_listed_for_no_codes():
    profile = occupation_profile([])
    assert profile.entries == [] and profile.concepts() == []
    assert all(g.listed == 0 for g in profile_gap(profile, {OPERATE_WELDING}))
