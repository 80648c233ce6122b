from pathlib import Path

import pytest

from tests.support.reference import shared


@pytest.fixture(scope="session")
def shared_data() -> Path:
    return shared("labelled", "skillspan").parents[1]
