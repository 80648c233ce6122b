"""Reference data beside the checkout (`../shared/data`), not in it: tests that need it skip, saying so."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp.reference import REFERENCE_DATA

SHARED_DATA = REFERENCE_DATA  # SKILLPULSE_REFERENCE_DATA, default ../shared/data (nlp/reference.py)


def shared(*parts: str) -> Path:
    """The path under ../shared/data, or skip the calling test naming what is missing."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs reference data {path}, which is absent (../shared/data is not shipped with us)")
    return path
