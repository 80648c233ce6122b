from nlp import link


def labels(phrase, **kw):
    return [c.label for c, _ in link(phrase, **kw)]


def test_link_ranks_and_scores():
    res = link("communication skills", k=5)
    assert 1 <= len(res) <= 5
    scores = [s for _, s in res]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert res[0][0].label == "communication"


def test_link_examples():
    assert labels("web programming", k=1) == ["web programming"]
    assert "Python" in labels("Python", k=2)[0]
    assert labels("managing staff", k=3, schemes=["esco"])[0] == "manage staff"
    assert labels("SQL", k=1, schemes=["esco"]) == ["SQL"]
    assert "Kubernetes" in labels("Kubernetes", k=1)


def test_link_is_deterministic_and_total():
    assert link("") == []
    assert link("   ") == []
    assert link("the and of") == [] or all(0 <= s <= 1 for _, s in link("the and of"))
    assert link("data analysis", k=3) == link("data analysis", k=3)
    assert link("x" * 10_000, k=3) is not None


def test_evaluate_linking_on_a_tiny_file(tmp_path):
    from nlp.linker import evaluate_linking

    f = tmp_path / "mini.csv"
    f.write_text(
        "sentence,span,sub_span,label\n"
        "We need SQL,SQL,,SQL\n"
        "web development skills,web development,,web programming\n"
        "smart,smart,,LABEL NOT PRESENT\n",
        encoding="utf-8",
    )
    r = evaluate_linking([str(f)], k=5)[str(f)]
    assert r["n"] == 2
    assert r["acc@1"] >= 0.5 and r["acc@5"] == 1.0


def test_scheme_filter_for_each_scheme_and_tuples():
    for scheme in ("esco", "onet-tools", "onet-dwa"):
        res = link("weld metal parts", k=5, scheme=scheme)
        assert res and all(c.scheme == scheme for c, _ in res)
    both = link("weld metal parts", k=10, scheme=("esco", "onet-dwa"))
    assert both and {c.scheme for c, _ in both} <= {"esco", "onet-dwa"}
    assert link("weld metal parts", k=5, schemes=["esco"]) == link("weld metal parts", k=5, scheme="esco")


def test_operating_systems_are_not_roof_windows():
    for phrase in (
        "Windows and macOS operating systems",
        "Install, configure and upgrade Windows and macOS operating systems",
    ):
        top = link(phrase, k=1)[0][0]
        assert "roof" not in top.label and "window" not in top.label.lower().replace("windows", "")
        assert top.label in ("Microsoft Windows", "Apple macOS") or "operating system" in top.label
    assert labels("roof windows", k=1) == ["install roof windows"]  # the other sense is still there


def test_computer_hardware_is_not_memory_or_supplies():
    top = link(
        "Diagnose and replace faulty hardware components such as memory, storage and power supplies", k=2
    )
    got = [c.label for c, _ in top]
    assert "use geographic memory" not in got and "manage supplies" not in got
    assert any("hardware" in g for g in got)


def test_measuring_tools_are_tools_not_software():
    for phrase in ("micrometers", "calipers"):
        top = link(phrase, k=1)[0][0]
        assert top.id.startswith("urn:onet:tool:"), top
    top = link("Measure parts with micrometers, calipers and dial indicators", k=1)[0][0]
    assert top.id.startswith("urn:onet:tool:") and "TransCAD" not in top.label


def test_posting_abbreviations_link():
    assert "electrocardiograph" in labels("EKG", k=1)[0].lower()
    assert "electrocardiograph" in labels("ECG", k=1)[0].lower()
    assert "truck" in labels("Class A CDL", k=1)[0]
    assert labels("CMMS", k=1) == ["use computerised maintenance management systems"]
    assert "ICT process quality models" not in labels("Use a CMMS to log work orders", k=1)
    assert "geometric dimensions" in labels("GD&T", k=1)[0]
    assert "welding" in labels("MIG welding", k=1)[0]
    assert labels("QuickBooks", k=1) == ["Intuit QuickBooks"]
    assert labels("A/R", k=1) == ["follow up accounts receivables"]
    assert labels("R", k=1) == ["R"]  # the language keeps its own name
    for phrase in ("DHCP", "DNS", "Configure TCP/IP settings, DHCP and DNS"):
        assert link(phrase, k=1), phrase


def test_occupation_boost_is_small_and_ranks_its_concepts_up():
    plain = link("inspect welds", k=10)
    boosted = link("inspect welds", k=10, occupation="51-4121.06")
    assert boosted and plain
    assert {c.id for c, _ in boosted[:3]} & {c.id for c, _ in plain[:5]}  # a boost, not a new answer
    assert link("inspect welds", k=5, occupation="99-9999.99") == link("inspect welds", k=5)
