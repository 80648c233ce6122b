"""`skillpulse geo build` on the reference geo data makes the packaged tables byte for byte (else skips)."""

from __future__ import annotations

from service.geo.build import build_geo
from service.geo.tables import DATA_DIR, TABLE_FILES
from tests.support.reference import shared


def test_build_reproduces_the_packaged_tables(tmp_path):
    summary = build_geo(shared("geo"), tmp_path)
    assert summary["counties"] == 3222 and summary["states"] == 56
    assert sum(summary["bytes"].values()) < 3_000_000
    for name in TABLE_FILES.values():
        assert (tmp_path / name).read_bytes() == (DATA_DIR / name).read_bytes(), name
