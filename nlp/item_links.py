"""The list items the extractor links (``Extractor._item_mentions``), found once per segment.

``Extractor._read_chunk`` finds them (and the spans) for a batch of postings before linking any, so that the
embedding's nearest-concept search of every phrase whose words name no concept (``meaning.SEARCH_BELOW``),
most of what linking costs, runs for the whole batch in one matrix product (``linker.prefetch``) instead of
reading the whole concept matrix once per phrase; what is linked is unchanged (``embedding.nearest_many``
leaves near ties to the one-phrase search).
"""

from __future__ import annotations

from .clause_links import not_a_skill
from .coordination import list_items
from .cues import TextCues
from .titles import is_job_title


def item_ranges(
    text: str, segment: str, base: int, cues: TextCues, taken: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Character ranges (in ``text``) of the segment's list items that the extractor links: those no span
    covers (``taken``), not negated, not a job title ("Office Clerk.") and not a heading ("Duties:")."""
    out = []
    for s, e in list_items(segment):
        start, end = base + s, base + e
        if any(start < te and ts < end for ts, te in taken) or cues.negated(start, end):
            continue
        if is_job_title(text[start:end]) or not_a_skill(text[start:end]):
            continue
        out.append((start, end))
    return out
