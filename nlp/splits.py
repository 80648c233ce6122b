"""Fixed evaluation splits, so nothing shipped or tuned ever sees what a figure is reported on.

O*NET task → DWA linking is measured on a fifth of the occupations whose links ``../shared`` holds, chosen by
occupation (never by task) with a fixed hash rule. Anything built from ``Tasks to DWAs.txt`` (training pairs,
alternative labels, occupation priors used by the evaluation) leaves these occupations out.
"""

from __future__ import annotations

import hashlib


def is_eval_occupation(soc: str) -> bool:
    """True for the held-out fifth of O*NET-SOC codes (md5 of the code, stable across runs and machines)."""
    code = soc.strip()
    return int(hashlib.md5(code.encode()).hexdigest()[:8], 16) % 5 == 0  # noqa: S324 - a split, not security


def is_tuning_document(key: str) -> bool:
    """Half of a labelled set's documents, by document key: thresholds and weights are chosen on these only,
    figures are reported on the rest."""
    return int(hashlib.md5(key.strip().encode()).hexdigest()[:8], 16) % 2 == 0  # noqa: S324
