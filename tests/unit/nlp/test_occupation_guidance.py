"""A posting's occupation guides its linking, and the list items the span model misses are still read."""

import pytest

import nlp
from nlp.coordination import list_items
from nlp.titles import is_job_title

CLERK = "Compose and type correspondence, make copies, handle incoming mail, answer phones."
DRIVER = "Load and unload freight, verify bills of lading and perform pre-trip inspections."


def linked(text: str, occupation: str | None) -> dict[str, str]:
    return {m.text.lower(): m.concept.label.lower() for m in nlp.extract(text, occupation) if m.concept}


def test_list_items_split_a_bullet_list_and_share_a_lone_verb():
    items = [CLERK[s:e] for s, e in list_items(CLERK)]
    assert items == [
        "Compose and type correspondence",
        "make copies",
        "handle incoming mail",
        "answer phones",
    ]
    assert [DRIVER[s:e] for s, e in list_items(DRIVER)][0] == "Load and unload freight"


def test_list_items_leave_out_sentences():
    long = "We are a family-owned company that has served the region for more than forty years with pride."
    assert list_items(long) == []


def test_an_office_clerks_list_links_item_by_item():
    found = linked(CLERK, "43-9061.00")
    assert "mail" in found.get("handle incoming mail", ""), found
    assert any("telephone" in c or "phone" in c for c in found.values()), found


def test_the_occupation_does_not_invent_skills_in_a_job_title():
    found = linked("Office Clerk.\n" + CLERK, "43-9061.00")
    assert "office clerk" not in found, found
    assert is_job_title("Office Clerk") and not is_job_title("handle incoming mail")


def test_a_verbs_object_is_not_shared_across_a_list():
    text = "Take vital signs, draw blood, schedule appointments."
    found = linked(text, "31-9092.00")
    assert "blood" in found.get("draw blood", ""), found
    assert "appointment" in found.get("schedule appointments", ""), found


def test_extract_many_wants_one_occupation_per_text():
    with pytest.raises(ValueError, match="occupations"):
        nlp.extract_many([CLERK, DRIVER], occupations=["43-9061.00"])
    assert nlp.extract_many([CLERK], occupations=[None]) == [nlp.extract(CLERK)]
