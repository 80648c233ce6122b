"""An on-disk cache for the indexes a process derives from the packaged data as it loads (the gazetteer's
tokenised phrases, the linker's label index, the concept vectors, the title index).

Building them takes 10–15 s of CPU per process (tokenising 105,000 phrases, stemming 128,000 labels, embedding
every concept); every `serve`, `worker` and pool process builds the same ones. The first process to build an index
writes it here; the others load it in a fraction of a second. An entry's key is a SHA-256 of everything under
``nlp/`` (code, config, packaged data, the span model) with the Python and spaCy versions, so any change to what an
index is built from makes a new key: a stale index is never read. Entries are written to a temporary file and
renamed into place, so a reader never sees half of one and two processes building at once both succeed.

Where: ``SKILLPULSE_NLP_CACHE_DIR``, by default ``$XDG_CACHE_HOME/skillpulse/nlp`` (``~/.cache/skillpulse/nlp``);
``off`` turns the cache off (each process builds in memory, as before). A directory that cannot be written is
not an error: the index is built in memory and the process goes on. The files are pickles: the directory is as
trusted as the code (the user's own cache).
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sys
import tempfile
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
log = logging.getLogger(__name__)

PACKAGE_DIR = Path(__file__).resolve().parent
KEEP_PER_NAME = 4  # entries kept per index name (other checkouts of other versions may share the directory)


def cache_dir() -> Path | None:
    """The cache directory, or None when the cache is off."""
    configured = os.environ.get("SKILLPULSE_NLP_CACHE_DIR", "").strip()
    if configured.lower() == "off":
        return None
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME", "").strip() or str(Path.home() / ".cache")
    return Path(base) / "skillpulse" / "nlp"


@lru_cache(maxsize=1)
def package_digest() -> str:
    """SHA-256 of every file under nlp/ (code, config, data, model) and the interpreter's and spaCy's versions."""
    import spacy

    h = hashlib.sha256(f"{sys.version}|{spacy.__version__}".encode())
    for path in sorted(PACKAGE_DIR.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            h.update(str(path.relative_to(PACKAGE_DIR)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:24]


def _entry(directory: Path, name: str, key: str) -> Path:
    digest = package_digest()
    if key:
        digest = hashlib.sha256(f"{digest}|{key}".encode()).hexdigest()[:24]
    return directory / f"{name}-{digest}.pickle"


def _load(path: Path) -> object | None:
    try:
        with path.open("rb") as fh:
            return pickle.load(fh)  # noqa: S301 - our own cache, as trusted as the code (see the module docstring)
    except FileNotFoundError:
        return None
    except Exception:  # a damaged entry (a full disk, a killed writer on a non-atomic filesystem): rebuild it
        log.warning("the NLP index cache entry %s is unreadable; rebuilding it", path, exc_info=True)
        return None


def _store(path: Path, value: object) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        _prune(path.parent, path)
    except OSError as exc:  # read-only or full: the index was built, the process goes on without the cache
        log.info(
            "the NLP index cache at %s is not writable (%s); indexes are built in memory", path.parent, exc
        )


def _prune(directory: Path, keep: Path) -> None:
    """Drop the oldest entries of the same index name beyond KEEP_PER_NAME."""
    name = keep.name.rsplit("-", 1)[0]
    entries = sorted(directory.glob(f"{name}-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[KEEP_PER_NAME:]:
        if old != keep:
            old.unlink(missing_ok=True)


def cached(name: str, build: Callable[[], T], key: str = "") -> T:
    """The index `name`: loaded from the cache when an entry for this package digest (and `key`) exists, else
    built by `build()` and stored. `build` must return a picklable value that depends only on the files under
    nlp/ and on what `key` names (e.g. a digest of the tokenizer it used)."""
    directory = cache_dir()
    if directory is None:
        return build()
    path = _entry(directory, name, key)
    value = _load(path)
    if value is not None:
        return value  # type: ignore[return-value]
    value = build()
    _store(path, value)
    return value
