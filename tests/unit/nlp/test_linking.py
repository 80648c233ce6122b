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
