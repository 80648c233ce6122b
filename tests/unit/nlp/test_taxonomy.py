"""The packaged concept inventory: three schemes, descriptions, occupation context, aliases that resolve."""

import json

import pytest

from nlp.occupations import occupation, priors
from nlp.splits import is_eval_occupation
from nlp.taxonomy import ALIASES_FILE, load_taxonomy
from tests.support.reference import shared


@pytest.fixture(scope="module")
def tax():
    return load_taxonomy()


def test_the_three_schemes_have_sane_sizes(tax):
    by: dict[str, int] = {}
    for c in tax.concepts.values():
        by[c.scheme] = by.get(c.scheme, 0) + 1
    assert set(by) == {"esco", "onet-tools", "onet-dwa"}
    assert by["esco"] >= 13_896
    assert by["onet-dwa"] >= 2_000
    tools = sum(1 for cid in tax.concepts if cid.startswith("urn:onet:tool:"))
    tech = sum(1 for cid in tax.concepts if cid.startswith("urn:onet:tech:"))
    assert tools >= 4_000 and tech >= 8_000


def test_ids_follow_the_shared_scheme(tax):
    for cid, c in tax.concepts.items():
        if c.scheme == "esco":
            assert cid.startswith("http://data.europa.eu/esco/skill/")
        elif c.scheme == "onet-dwa":
            assert cid.startswith("urn:onet:dwa:4.A.") and c.kind == "skill"
        else:
            assert cid.startswith(("urn:onet:tech:", "urn:onet:tool:")) and c.kind == "tool"


def test_existing_ids_are_unchanged(tax):
    """Stored results reference these ids: they must keep naming the same concepts."""
    assert tax["urn:onet:tech:python"].label == "Python"
    assert tax["urn:onet:tech:microsoft-excel"].label == "Microsoft Excel"
    assert (
        tax["http://data.europa.eu/esco/skill/0005c151-5b5a-4a66-8aac-60e734beb1ab"].label
        == "manage musical staff"
    )


def test_descriptions(tax):
    (staff,) = [c for c in tax.lookup("manage musical staff") if c.scheme == "esco"]
    assert len(tax.description(staff.id) or "") > 40
    dwa = next(c for c in tax.concepts.values() if c.scheme == "onet-dwa")
    assert tax.description(dwa.id) == tax.attrs[dwa.id]["iwa_t"]
    (mic,) = [c for c in tax.lookup("micrometers") if c.id.startswith("urn:onet:tool:")]
    assert "Micrometers" in tax.description(mic.id)
    assert tax.description("urn:nothing") is None
    with_text = sum(1 for cid, c in tax.concepts.items() if c.scheme == "esco" and tax.description(cid))
    assert with_text >= 13_000


def test_every_alias_resolves(tax):
    aliases = {
        k: v for k, v in json.loads(ALIASES_FILE.read_text(encoding="utf-8")).items() if not k.startswith("_")
    }
    assert len(aliases) >= 150
    missing = [(p, t) for p, t in aliases.items() if tax.resolve(t) is None]
    assert missing == []


def test_welder_occupation_and_priors():
    occ = occupation("51-4121.06")
    assert occ is not None and "Welders" in occ.title and occ.job_zone in (2, 3)
    assert any(t.category == "Core" for t in occ.tasks)
    assert occupation("51-4121") is not None  # a 6-digit SOC finds its occupation
    tax = load_taxonomy()
    p = priors("51-4121.06")
    assert p and all(0.0 < w <= 1.0 for w in p.values())
    weld = [cid for cid in p if "weld" in tax[cid].label.lower()]
    assert any(cid.startswith("urn:onet:dwa:") for cid in weld)
    assert any(cid.startswith("urn:onet:tool:") for cid in weld)
    assert any(tax[cid].scheme == "esco" for cid in weld)  # from the matched ESCO welder occupation
    assert {"welder"} & {label for _, label in occ.esco_occupations}


def test_priors_order_core_dwas_and_essential_above_optional():
    occ = occupation("51-4121.06")
    p = priors("51-4121.06")
    assert all(p[d] == max(p.values()) for d in occ.core_dwa_ids)
    opt_only = set(occ.esco_optional) - set(occ.esco_essential)
    for cid in set(occ.esco_essential) - set(occ.dwa_ids):
        for other in opt_only:
            assert p[cid] >= p[other]
            break


def test_held_out_occupations_keep_their_profile():
    # task → DWA linking is measured on these occupations by meaning alone; their postings still need their
    # DWAs as a profile (machinists and computer user support are programs colleges run)
    for soc in ("51-4041.00", "15-1232.00"):
        assert is_eval_occupation(soc)
        occ = occupation(soc)
        assert occ is not None and occ.tasks and occ.dwa_ids and set(occ.core_dwa_ids) <= set(occ.dwa_ids)
        assert any(cid.startswith("urn:onet:dwa:") for cid in priors(soc))


def test_unknown_occupation():
    assert occupation("99-9999.99") is None
    assert priors("") == {}


def test_every_esco_v111_skill_keeps_its_uri(tax):
    import csv

    path = shared("taxonomy", "esco", "skills_en_v1.1.1.csv")
    with open(path, encoding="utf-8") as fh:
        uris = [r["conceptUri"].strip() for r in csv.DictReader(fh)]
    assert len(uris) == 13_896
    assert [u for u in uris if u not in tax.concepts] == []


def test_packaged_files_are_what_build_taxonomy_makes(tmp_path):
    import gzip

    from nlp.taxonomy import DATA_DIR
    from nlp.taxonomy_build import build_taxonomy

    source = shared("taxonomy")
    summary = build_taxonomy(source, tmp_path / "taxonomy.json.gz")
    assert summary["version"] == load_taxonomy().version
    for name in (
        "taxonomy.json.gz",
        "descriptions.json.gz",
        "occupations.json.gz",
        "task_dwas.json.gz",
        "dwa_exemplars.json.gz",
    ):
        built = gzip.decompress((tmp_path / name).read_bytes())
        assert built == gzip.decompress((DATA_DIR / name).read_bytes()), name
