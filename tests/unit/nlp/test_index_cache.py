"""The on-disk cache of the indexes NLP processes derive from the packaged data (nlp/index_cache.py)."""

import os

import numpy
import pytest

from nlp import index_cache


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("SKILLPULSE_NLP_CACHE_DIR", str(tmp_path / "nlp-cache"))
    return tmp_path / "nlp-cache"


def _fails():
    raise AssertionError("built again although a cached entry exists")


def test_an_index_is_built_once_then_read_back(cache_dir):
    built = []

    def build():
        built.append(1)
        return {"stems": ("weld", "solder"), "n": 2}

    assert index_cache.cached("demo-index", build) == {"stems": ("weld", "solder"), "n": 2}
    assert index_cache.cached("demo-index", _fails) == {"stems": ("weld", "solder"), "n": 2}
    assert built == [1]
    entries = list(cache_dir.iterdir())
    assert len(entries) == 1 and entries[0].name.startswith("demo-index-")
    assert oct(entries[0].stat().st_mode & 0o777) == "0o600"  # the user's own cache


def test_another_key_or_package_digest_is_another_entry(cache_dir, monkeypatch):
    assert index_cache.cached("demo-index", lambda: "tokenizer one", key="one") == "tokenizer one"
    assert index_cache.cached("demo-index", lambda: "tokenizer two", key="two") == "tokenizer two"
    assert index_cache.cached("demo-index", _fails, key="one") == "tokenizer one"
    monkeypatch.setattr(index_cache, "package_digest", lambda: "changed-code-or-data")
    assert index_cache.cached("demo-index", lambda: "rebuilt", key="one") == "rebuilt"


def test_old_entries_of_an_index_are_pruned(cache_dir):
    for i in range(index_cache.KEEP_PER_NAME + 2):
        index_cache.cached("demo-index", lambda i=i: i, key=str(i))
        os.utime(index_cache._entry(cache_dir, "demo-index", str(i)), (1000 + i, 1000 + i))
    index_cache.cached("other-index", lambda: "kept")
    names = sorted(p.name for p in cache_dir.iterdir())
    assert len([n for n in names if n.startswith("demo-index-")]) == index_cache.KEEP_PER_NAME
    assert any(n.startswith("other-index-") for n in names)


def test_a_damaged_entry_is_rebuilt(cache_dir):
    index_cache.cached("demo-index", lambda: "first")
    (entry,) = cache_dir.iterdir()
    entry.write_bytes(b"not a pickle")
    assert index_cache.cached("demo-index", lambda: "rebuilt") == "rebuilt"
    assert index_cache.cached("demo-index", _fails) == "rebuilt"


def test_off_builds_in_memory_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("SKILLPULSE_NLP_CACHE_DIR", "off")
    monkeypatch.chdir(tmp_path)
    built = []
    for _ in range(2):
        assert index_cache.cached("demo-index", lambda: built.append(1) or "fresh") == "fresh"
    assert built == [1, 1] and not list(tmp_path.iterdir())


def test_a_file_in_the_way_is_not_an_error(tmp_path, monkeypatch):
    """The cache path cannot be made a directory (a file is there): the index is built in memory."""
    (tmp_path / "taken").write_text("a file, not a directory")
    monkeypatch.setenv("SKILLPULSE_NLP_CACHE_DIR", str(tmp_path / "taken" / "nlp"))
    assert index_cache.cached("demo-index", lambda: "built") == "built"


def test_the_default_directory_is_the_users_cache(monkeypatch, tmp_path):
    monkeypatch.delenv("SKILLPULSE_NLP_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert index_cache.cache_dir() == tmp_path / "skillpulse" / "nlp"


def _same(a, b) -> bool:
    if isinstance(a, numpy.ndarray):
        return isinstance(b, numpy.ndarray) and a.dtype == b.dtype and numpy.array_equal(a, b)
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):
        return type(a) is type(b) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def test_cached_indexes_equal_freshly_built_ones(cache_dir):
    """The linker's, the title coder's and the taxonomy's state read back from the cache is the state they
    build."""
    from nlp.linker import Linker
    from nlp.taxonomy import TAXONOMY_FILE, _read_taxonomy, load_taxonomy
    from nlp.titles import TitleCoder

    for cls in (Linker, TitleCoder):
        first, second = cls(), cls()  # built and stored, then read back
        fresh = {k: v for k, v in first.__dict__.items() if k != "tax"}
        read = {k: v for k, v in second.__dict__.items() if k != "tax"}
        assert _same(fresh, read), cls
    load_taxonomy.cache_clear()
    try:
        assert load_taxonomy() == _read_taxonomy(TAXONOMY_FILE)
        assert load_taxonomy() == _read_taxonomy(TAXONOMY_FILE)
    finally:
        load_taxonomy.cache_clear()
    assert {p.name.rsplit("-", 1)[0] for p in cache_dir.iterdir()} == {"linker", "titles", "taxonomy"}
