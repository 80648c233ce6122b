"""Pure merge rules: matching a file's competencies to stored ones; link plans that keep human decisions."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.credentials.formats import ParsedCompetency
from service.credentials.formats.csv_read import read_csv
from service.credentials.formats.records import text_hash
from service.credentials.formats.vocab import normalise_occupation, parse_domain, parse_level
from service.credentials.linking import LinkState, Proposal, plan_links
from service.credentials.matching import StoredCompetency, match_competencies


def stored(id_, text, ext=None, deleted=False):
    return StoredCompetency(id_, ext, text_hash(text), deleted)


def test_matching_by_id_then_identifier_then_statement():
    rows = [
        stored(1, "Weld steel", "ce-a"),
        stored(2, "Read blueprints"),
        stored(3, "Cut metal"),
        stored(4, "Old", deleted=True),
    ]
    parsed = [
        ParsedCompetency(text="Weld stainless steel", ext_id="ce-a"),  # same identifier, new statement
        ParsedCompetency(text="read   BLUEPRINTS"),  # same statement (case and spacing aside)
        ParsedCompetency(text="Grind welds"),  # new
        ParsedCompetency(text="Old"),  # comes back from the removed ones
    ]
    matches, removed = match_competencies(rows, parsed)
    assert [(m.stored_id, m.text_changed) for m in matches] == [
        (1, True),
        (2, False),
        (None, True),
        (4, False),
    ]
    assert removed == [3]


def test_duplicate_statements_pair_in_order_and_db_ids_win():
    rows = [stored(1, "Weld"), stored(2, "Weld"), stored(3, "Cut", "ce-c")]
    matches, removed = match_competencies(
        rows, [ParsedCompetency(text="Weld"), ParsedCompetency(text="Weld")]
    )
    assert [m.stored_id for m in matches] == [1, 2] and removed == [3]
    edited = ParsedCompetency(text="Cut thick plate", db_id=3)
    matches, _ = match_competencies(rows, [edited])
    assert (matches[0].stored_id, matches[0].text_changed) == (3, True)


def P(cid, score=0.7, method="concept"):  # noqa: N802 - a short constructor for the tables below
    return Proposal(cid, cid.upper(), score, method)


def test_plan_keeps_human_decisions_and_refreshes_suggestions():
    existing = [
        LinkState(1, "a", "confirmed", "concept", 0.6),
        LinkState(2, "b", "rejected", "concept", 0.7),
        LinkState(3, "c", "suggested", "concept", 0.8),
        LinkState(4, "d", "suggested", "fuzzy", 0.65),
        LinkState(5, "e", "confirmed", "manual", 1.0),
    ]
    plan = plan_links(existing, [P("a", 0.9), P("b", 0.7), P("c", 0.85), P("f")])
    assert plan.delete == [4]  # a suggestion the machine no longer makes
    updates = {link_id: (p.score, status) for link_id, p, status in plan.update}
    assert updates == {1: (0.9, "confirmed"), 3: (0.85, "suggested")}  # b unchanged; e (manual) untouched
    assert [(p.concept_id, status) for p, status in plan.insert] == [("f", "suggested")]


def test_plan_with_nothing_proposed_removes_only_suggestions():
    existing = [
        LinkState(1, "a", "confirmed", "concept", 0.6),
        LinkState(2, "b", "suggested", "concept", 0.7),
        LinkState(3, "c", "rejected", "fuzzy", 0.6),
    ]
    plan = plan_links(existing, [])
    assert plan.delete == [2] and not plan.update and not plan.insert


def test_asserted_alignments_confirm_but_never_overturn_a_rejection():
    existing = [LinkState(1, "a", "suggested", "concept", 0.7), LinkState(2, "b", "rejected", "concept", 0.7)]
    asserted = [P("a", 1.0, "manual"), P("b", 1.0, "manual"), P("z", 0.75, "manual")]
    plan = plan_links(existing, [P("a")], asserted)
    assert [(i, s) for i, _, s in plan.update] == [(1, "confirmed")]
    assert [(p.concept_id, s, p.score) for p, s in plan.insert] == [("z", "confirmed", 0.75)]
    assert not plan.delete


@pytest.mark.parametrize(
    ("value", "level"),
    [
        (4, 4),
        ("4", 4),
        ("Level 4", 4),
        ("L4", 4),
        ("CCF level 8", 8),
        ("urn:x:level:3", 3),
        ("9", None),
        (0, None),
        ("", None),
        ("high", None),
    ],
)
def test_levels(value, level):
    assert parse_level(value) == level


def test_domains_and_occupations():
    assert parse_domain("Specialised skills") == "specialized" and parse_domain("SOCIAL") == "social"
    assert (
        parse_domain("urn:connecting-credentials:domain:personal") == "personal"
        and parse_domain("art") is None
    )
    assert normalise_occupation("15-1232.00") == "15-1232.00" and normalise_occupation("151232") == "15-1232"
    assert normalise_occupation("15-1232.0") is None and normalise_occupation("welder") is None


def test_the_csv_template_reads():
    template = Path(__file__).resolve().parents[3] / "examples" / "credentials" / "template.csv"
    [credential] = read_csv(template.read_bytes())
    assert credential.occupations == ["53-7051.00"] and len(credential.competencies) == 3
