from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
SHARED = REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def extractor():
    from nlp import get_extractor

    return get_extractor()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not (SHARED / "labelled" / "skillspan").exists():
        pytest.skip("shared data not present")
    return SHARED
