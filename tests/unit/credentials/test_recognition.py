"""Credential recognition in posting text: alias proposals from name and type, and the matcher's rules."""

from __future__ import annotations

import re

import pytest

from service.credentials.recognition import find_aliases, recognise
from service.credentials.recognition_aliases import clean_aliases, propose_aliases
from service.credentials.recognition_eval import evaluate

APLUS = propose_aliases("CompTIA A+ Certification", "Certification")
CDL_A = propose_aliases("Commercial Driver's License Class A", "License")
RN = propose_aliases("Registered Nurse (RN) License", "License")
CMA = propose_aliases("Certified Medical Assistant (CMA)", "Certification")
CNA = propose_aliases("Certified Nursing Assistant (CNA)", "Certification")
ASE = propose_aliases("ASE Certification", "Certification")
D11 = ["AWS D1.1", "D1.1"]
EPA608 = ["EPA 608", "EPA Section 608", "Section 608", "608 certification", "608 certified"]
NCCER = ["NCCER"]


@pytest.mark.parametrize(
    ("name", "kind", "wanted"),
    [
        ("CompTIA A+ Certification", "Certification", ["CompTIA A+ Certification", "CompTIA A+", "A+"]),
        (
            "Commercial Driver's License Class A",
            "License",
            ["CDL Class A", "CDL-A", "Class A CDL", "Class A Commercial Driver's License"],
        ),
        ("Certified Medical Assistant (CMA)", "Certification", ["Certified Medical Assistant", "CMA"]),
        ("Registered Nurse (RN) License", "License", ["RN", "Registered Nurse", "RN License"]),
        ("CMA (AAMA) Certification", "Certification", ["CMA (AAMA)", "CMA"]),
        ("Cisco Certified Network Associate (CCNA)", "Certification", ["CCNA"]),
    ],
)
def test_proposals_from_name_and_type(name: str, kind: str, wanted: list[str]) -> None:
    proposed = propose_aliases(name, kind)
    assert proposed[0] == " ".join(re.sub(r"\([^()]*\)", " ", name).split())  # the name, brackets out
    assert set(wanted) <= set(proposed)
    assert len({a.casefold() for a in proposed}) == len(proposed)


def test_proposals_never_shorten_to_plain_words() -> None:
    assert propose_aliases("Welding Technology Certificate", "Certificate") == [
        "Welding Technology Certificate"
    ]
    assert propose_aliases("Forklift Certification", "Certification") == ["Forklift Certification"]
    degree = propose_aliases("Associate of Applied Science in Nursing (AAS)", "AssociateDegree")
    assert degree == ["Associate of Applied Science in Nursing", "AAS"]
    assert propose_aliases("", "License") == []


def test_clean_aliases_trims_and_refuses_what_cannot_be_looked_for() -> None:
    assert clean_aliases([" CDL-A ", "cdl-a", "", "Class  A CDL"]) == ["CDL-A", "Class A CDL"]
    with pytest.raises(ValueError, match="alias 'x' must be 2 to 120"):
        clean_aliases(["x"])
    with pytest.raises(ValueError, match="no letter or digit"):
        clean_aliases(["++"])
    with pytest.raises(ValueError, match="at most 20"):
        clean_aliases([f"Alias {i}" for i in range(21)])


def test_words_case_and_boundaries() -> None:
    assert [t for _, _, t in find_aliases("CDL-A, CDL A, CDLA and Class-A CDL", CDL_A)] == [
        "CDL-A",
        "CDL-A",
        "CDL-A",
        "Class A CDL",
    ]
    assert find_aliases("cdl-a or a cdl a plus", CDL_A) == []  # capitals of an acronym must be capitals
    assert find_aliases("CCMA and RMA", CMA) == []  # never inside a longer token
    assert [t for _, _, t in find_aliases("CompTIA A+ (not A++)", APLUS)] == ["CompTIA A+"]
    assert find_aliases("Our RNs and CMAs", RN + CMA) != []  # an acronym's plural


@pytest.mark.parametrize(
    ("text", "asks", "level"),
    [
        ("Requirements:\n- CompTIA A+ certification\n- 1 year of support", True, "required"),
        ("CompTIA A+ preferred; Network+ a plus.", True, "preferred"),
        ("Certifications: A+ (required), Google IT Support (preferred).", True, "required"),
        ("Preferred qualifications: CompTIA A+, CCNA, or ITIL.", True, "preferred"),
        ("Security+ required; CompTIA A+ helpful.", True, "preferred"),
        ("We want an A+ attitude toward customer service.", False, None),
        ("Our store holds an A+ rating with the BBB.", False, None),
        ("Students working toward their A+ certification are welcome.", False, None),
        ("We offer paid certification training (CompTIA A+, CCNA) after 6 months.", False, None),
    ],
)
def test_aplus_cues_offers_and_lookalikes(text: str, asks: bool, level: str | None) -> None:
    found = recognise(text, APLUS)
    assert (found.asks, found.requirement) == (asks, level), found.mentions


@pytest.mark.parametrize(
    ("text", "asks", "level"),
    [
        ("No CDL-A required.", False, None),
        ("Class A CDL not required.", False, None),
        ("A Class A CDL is not necessary for this office role.", False, None),
        ("We do not require a Class A CDL.", False, None),
        ("CDL-A not required but preferred.", True, "preferred"),
        ("CDL A preferred but not required.", True, "preferred"),
        ("We will pay for your CDL-A training.", False, None),
        ("• 2 years of flatbed experience\n• Class-A CDL\n• Able to tarp loads", True, None),
        ("Dump truck driver, CDL Class A or B required.", True, "required"),
        ("Class B CDL required (Class A accepted).", False, None),
    ],
)
def test_cdl_negation_and_bullets(text: str, asks: bool, level: str | None) -> None:
    found = recognise(text, CDL_A)
    assert (found.asks, found.requirement) == (asks, level), found.mentions


@pytest.mark.parametrize(
    ("text", "aliases", "level"),
    [
        # in brackets: the cue of the clause the brackets belong to
        ("Some healthcare experience (CNA, MA or EMT) is a plus.", CNA, "preferred"),
        ("Prior roles (for example RN or LPN) are helpful but not expected.", RN, "preferred"),
        # a substitute for a requirement is accepted as meeting it
        ("An ASE certification can substitute for one year of the experience requirement.", ASE, "required"),
        ("An RN license is accepted in lieu of the LPN license.", RN, "required"),
        ("We take a Class A CDL instead of the Class B.", CDL_A, "required"),
        # what holders get: priority, a better rate
        ("Nursing assistants who hold the CNA will be given preference.", CNA, "preferred"),
        ("Welders with a D1.1 certification earn a higher starting rate.", D11, "preferred"),
        ("CNA certification strongly encouraged.", CNA, "preferred"),
        ("Applicants with an A+ certificate get priority consideration.", APLUS, "preferred"),
        # when it must be held
        ("EPA 608 within 60 days of hire.", EPA608, "required"),
        ("An active CNA certificate is a condition of employment.", CNA, "required"),
        ("Route drivers need a CDL-A.", CDL_A, "required"),
        ("PTCB certification is expected within your first year.", ["CPhT", "PTCB"], "required"),
    ],
)
def test_cue_families_of_recognition(text: str, aliases: list[str], level: str) -> None:
    found = recognise(text, aliases)
    assert (found.asks, found.requirement) == (True, level), found.mentions


@pytest.mark.parametrize(
    ("text", "aliases", "reason"),
    [
        # a substitute refused
        ("A CDL-A will not be accepted in place of the Class B with P endorsement.", CDL_A, "negated"),
        # offers: training or exams the employer pays, written after the name
        ("CDL-A training provided at no cost.", CDL_A, "offer"),
        ("CompTIA A+ and Network+ exam fees are covered by the company.", APLUS, "offer"),
        ("New hires take the CNA exam at no cost to them.", CNA, "offer"),
        ("Apprentices finish NCCER Core during the program.", NCCER, "offer"),
        ("Upon completion of the academy you will hold a Class A CDL.", CDL_A, "offer"),
        ("You will be trained and tested for your EPA 608 in week one.", EPA608, "offer"),
        # the code, the rules, the school: not the credential
        ("Weld to AWS D1.1 code requirements.", D11, "lookalike"),
        ("Recovery must follow Section 608 regulations.", EPA608, "lookalike"),
        ("Currently enrolled in an RN program is required.", RN, "lookalike"),
        ("Train at our NCCER-accredited training center.", NCCER, "lookalike"),
        ("Students in our D1.1 prep class are welcome.", D11, "lookalike"),
    ],
)
def test_what_is_not_asking(text: str, aliases: list[str], reason: str) -> None:
    found = recognise(text, aliases)
    assert not found.asks and [m.reason for m in found.mentions] == [reason], found.mentions


def test_a_credential_named_beside_its_code_still_asks() -> None:
    assert recognise("Must be certified to AWS D1.1 code.", D11).asks
    assert recognise("Graduate of a CNA program with current state certification.", CNA).asks


def test_a_mention_without_a_cue_names_without_asking() -> None:
    assert not recognise("Pass medications and report to the RN unit manager.", RN).asks
    assert recognise("Current RN license in Indiana.", RN).asks  # credential words beside it
    staff = recognise("CPA or CMA (Certified Management Accountant) preferred.", CMA)
    assert not staff.asks and staff.mentions[0].reason == "lookalike"
    assert not recognise("No clinical certification such as CMA or RMA is necessary.", CMA).asks


def test_evidence_is_the_strongest_counted_mention() -> None:
    text = "CDL-A preferred for yard moves. Requirements: Class A CDL within 90 days."
    found = recognise(text, CDL_A)
    assert found.requirement == "required"
    assert found.evidence is not None and found.evidence.text == "Class A CDL"
    assert (
        text[found.evidence.sentence_start : found.evidence.sentence_end].strip().startswith("Requirements")
    )


def test_the_labelled_set_scores_on_both_splits() -> None:
    """The figures README reports (`skillpulse credentials evaluate-recognition`): tuned on dev only; test2,
    held out, reported as measured once (precision 1.000, recall 0.952), so its floors sit a little below."""
    scores = evaluate()
    assert list(scores) == ["dev", "test2"]
    assert scores["dev"].postings >= 140 and scores["test2"].postings >= 60
    assert scores["dev"].precision is not None and scores["dev"].precision >= 0.95
    assert scores["dev"].recall is not None and scores["dev"].recall >= 0.95
    assert scores["test2"].precision is not None and scores["test2"].precision >= 0.95
    assert scores["test2"].recall is not None and scores["test2"].recall >= 0.9
