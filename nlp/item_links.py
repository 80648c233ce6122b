"""The list items the extractor links (``Extractor._item_mentions``), found once per segment, and their
nearest concepts readied for a whole batch of postings at once.

Most of what linking costs on a posting is the embedding's nearest-concept search of the list items whose
words name no concept (``meaning.SEARCH_BELOW``): one product of the phrase's vector with every concept's,
reading the whole concept matrix each time. ``prefetch`` does that search for every such item of a batch of
postings in one matrix product (``linker.prefetch``), so linking them afterwards finds it done; what is linked
is unchanged (``embedding.nearest_many`` leaves near ties to the one-phrase search).
"""

from __future__ import annotations

from collections.abc import Iterable

from .clause_links import not_a_skill
from .coordination import list_items
from .cues import TextCues
from .linker import prefetch as prefetch_nearest
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


def prefetch(items: Iterable[tuple[str, list[tuple[int, int]], str | None]]) -> int:
    """Ready the nearest concepts of the items about to be linked: (text, its item ranges, its occupation) per
    segment. Returns how many phrases it readied."""
    return prefetch_nearest(
        [(text[s:e], occupation) for text, ranges, occupation in items for s, e in ranges]
    )
