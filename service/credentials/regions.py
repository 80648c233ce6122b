"""A credential's service region as codes (service/geo/codes.py): given as codes, or read from its region
in words with the posting locations' normaliser."""

from __future__ import annotations

from service.credentials.formats.records import ParsedCredential
from service.credentials.models import Credential
from service.geo import region_codes_of_text


def stored_region_codes(parsed: ParsedCredential, row: Credential | None) -> list[str]:
    """The codes to store for an imported or edited credential: the ones it gives; else the stored ones while
    its region text is unchanged (codes a designer set survive a re-import); else those of the text."""
    if parsed.region_codes is not None:
        return list(parsed.region_codes)
    if row is not None and (row.region or None) == (parsed.region or None) and row.region_codes:
        return list(row.region_codes)
    return region_codes_of_text(parsed.region)


def edit_region(row: Credential, fields: set[str], region: str | None, codes: list[str] | None) -> bool:
    """A PATCH's `region` / `region_codes` on the row; codes given win, a new text without codes brings its
    own. Whether anything changed."""
    before = (row.region, list(row.region_codes or []))
    if "region" in fields:
        if region != row.region and "region_codes" not in fields:
            row.region_codes = region_codes_of_text(region)
        row.region = region
    if "region_codes" in fields:
        row.region_codes = list(codes or [])
    return (row.region, list(row.region_codes or [])) != before
