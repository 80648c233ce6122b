"""The taxonomy feature of the span model: per-token phrase tags, and the layers that read them."""

import numpy
import spacy

from nlp import architectures  # noqa: F401  (registers the component and the layers)
from nlp.gazetteer import USER_DATA_KEY, _phrases, gazetteer_embed
from nlp.taxonomy import load_taxonomy

# tag = ESCO tag + 5 × O*NET tag; each tag 0 outside, 1 begin, 2 inside, 3 last, 4 unit


def _tags(text: str) -> list[tuple[str, int]]:
    nlp = spacy.blank("en")
    nlp.add_pipe("skill_gazetteer")
    doc = nlp(text)
    return [(t.text, int(v)) for t, v in zip(doc, doc.user_data[USER_DATA_KEY], strict=True)]


def test_multiword_esco_phrase_is_tagged_begin_to_last_case_insensitively():
    tags = dict(_tags("Strong Project Management experience"))
    assert (tags["Project"] % 5, tags["Management"] % 5) == (1, 3)
    assert tags["Strong"] == 0 and tags["experience"] % 5 in (0, 4)


def test_tool_names_get_the_onet_tag_and_longest_match_wins():
    tags = _tags("We use Microsoft Excel daily")
    by = dict(tags)
    assert by["Microsoft"] // 5 == 1 and by["Excel"] // 5 == 3  # one two-token tool, not "Excel" alone
    assert by["We"] == 0 and by["daily"] == 0


def test_empty_and_unmatched_docs_get_zero_tags():
    assert _tags("") == []
    assert all(v == 0 for _, v in _tags("zzqx blorf"))


def test_labelled_esco_additions_are_not_phrases():
    """Concepts present only because the linking validation data names them must not become features."""
    tax = load_taxonomy()
    esco, onet = _phrases()
    added = [c for cid, c in tax.concepts.items() if tax.attrs.get(cid, {}).get("v") == "1.2.0"]
    assert added, "the packaged taxonomy carries the labelled v1.2.0 additions"
    phrases = set(esco) | set(onet)
    only_added = [c for c in added if c.label.lower() not in phrases]
    assert len(only_added) >= len(added) // 2


def test_embedding_reads_the_tags_and_keeps_the_width():
    nlp = spacy.blank("en")
    nlp.add_pipe("skill_gazetteer")
    docs = [nlp("Project management and SQL"), nlp("nothing here")]
    model = gazetteer_embed(width=32, attrs=["NORM", "SHAPE"], rows=[100, 50], include_static_vectors=False)
    model.initialize(X=docs)
    out = model.predict(docs)
    assert [a.shape for a in out] == [(4, 32), (2, 32)]
    plain = nlp.make_doc("Project management and SQL")  # no tags: treated as all outside, same shape
    assert model.predict([plain])[0].shape == (4, 32)
    assert not numpy.allclose(model.predict([plain])[0], out[0])


def test_phrase_index_finds_what_spacys_phrase_matcher_finds():
    """The gazetteer's own index (picklable, so it loads from the NLP index cache) against spaCy's PhraseMatcher
    on the same tokenised phrases: every match, overlapping and nested ones included, and no other."""
    from spacy.matcher import PhraseMatcher

    from nlp.gazetteer import PhraseIndex

    nlp = spacy.blank("en")
    phrases = ["project management", "project", "management of projects", "c++", "microsoft excel", "excel",
               "excel macros", "a b c d", "b c", "forklift certification", "forklift"]  # fmt: skip
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    matcher.add("P", list(nlp.tokenizer.pipe(phrases)))
    index = PhraseIndex([tuple(t.lower_ for t in d) for d in nlp.tokenizer.pipe(phrases)])
    texts = [
        "Project Management of Projects with Microsoft Excel macros and C++",
        "a b c d b c a b c",
        "Forklift certification preferred; forklift forklift",
        "",
        "nothing to see",
    ]
    for text in texts:
        doc = nlp.make_doc(text)
        expected = sorted((s, e) for _, s, e in matcher(doc))
        assert sorted(index.find([t.lower_ for t in doc])) == expected, text
