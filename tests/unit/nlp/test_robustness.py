import time

from nlp import extract


def _text(n_chars: int) -> str:
    para = (
        "We are hiring a backend developer. You have strong Python and SQL skills, experience with "
        "Docker and AWS, and good communication skills. Nice to have: Kubernetes. <b>Apply</b> now! 🚀\n"
    )
    return (para * (n_chars // len(para) + 1))[:n_chars]


def test_one_megabyte_is_linear_and_valid():
    small = _text(100_000)
    big = _text(1_000_000)
    extract(small[:10_000])  # warm up
    t0 = time.perf_counter()
    ms_small = extract(small)
    t_small = time.perf_counter() - t0
    t0 = time.perf_counter()
    ms_big = extract(big)
    t_big = time.perf_counter() - t0
    assert ms_small and ms_big
    for m in ms_big:
        assert big[m.start : m.end] == m.text
    assert len(ms_big) > 8 * len(ms_small)
    # linear: 10x the text may not cost much more than 10x the time (generous for noisy shared CPUs)
    assert t_big < 20 * t_small + 2.0, (t_small, t_big)


def test_one_megabyte_without_whitespace():
    text = "x" * 1_000_000
    assert extract(text) == [] or all(text[m.start : m.end] == m.text for m in extract(text))
