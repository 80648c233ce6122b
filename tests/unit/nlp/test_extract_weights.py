"""The extractor's links use the weight set fitted on postings ("extract" in config/linking.json)."""

from nlp import link, meaning


def test_the_extract_set_is_fitted_and_named():
    base, fitted = meaning.weights(), meaning.weight_set("extract")
    assert isinstance(base.get("extract"), dict), "linking.json has no fitted extract weights"
    assert "posting_calibration" in base["extract"]["fitted_on"]
    for key in ("bias", *meaning.FEATURES, "occupation", "scheme"):
        assert fitted[key] == base["extract"][key]
    assert fitted["bias"] != base["bias"]


def test_other_purposes_keep_the_file_weights():
    assert meaning.weight_set(None) == meaning.weights()
    assert meaning.weight_set("no such set") == meaning.weights()


def test_the_purpose_changes_the_probability():
    context = "Operate a forklift and keep the loading dock clean."
    plain = link("forklift", k=3, context=context)
    extract = link("forklift", k=3, context=context, purpose="extract")
    assert plain and extract
    assert plain[0][0] == extract[0][0]  # "operate forklift" either way
    assert [s for _, s in plain] != [s for _, s in extract]
