"""Where the reference data lives (ESCO, O*NET, the labelled sets, geography, CTDL): one setting for every
builder, evaluation and training command, `SKILLPULSE_REFERENCE_DATA`, by default `../shared/data` beside the
checkout. Nothing reads it at run time: the packaged files under nlp/data are built from it."""

from __future__ import annotations

import os
from pathlib import Path

REFERENCE_DATA = Path(
    os.environ.get("SKILLPULSE_REFERENCE_DATA") or Path(__file__).resolve().parents[2] / "shared" / "data"
)
