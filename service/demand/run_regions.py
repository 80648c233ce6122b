"""A drift run's counts per service region: the credentials sharing a region (or having none) are counted
together with service/demand/run_counts.py over the postings within it, so each distinct region costs one
set of aggregate queries (a college has one service area, or a few)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from service.credentials.models import Credential
from service.demand.aggregation import BucketCounts
from service.demand.region_filter import credential_region, region_condition
from service.demand.run_counts import RegionKey, RunCounts, code_matches, present_keys, run_counts
from service.settings import DriftSettings


@dataclass(slots=True)
class CredentialCounts:
    """Each credential's counts, read from the run counts of its region."""

    of_region: dict[tuple[str, ...], RunCounts] = field(default_factory=dict)
    region_of: dict[int, tuple[str, ...]] = field(default_factory=dict)
    keys_of: dict[int, list[tuple[str, RegionKey]]] = field(default_factory=dict)

    def for_credential(self, credential_id: int) -> BucketCounts:
        counts = self.of_region[self.region_of[credential_id]]
        return counts.for_credential(self.keys_of[credential_id])

    def competencies(self, credential_id: int) -> dict[str, dict[int, int]]:
        return self.of_region[self.region_of[credential_id]].competencies.get(credential_id, {})


async def count_credentials(
    session: AsyncSession,
    org_id: int,
    dates: tuple[date, date, date],  # baseline start, as of, current start
    credentials: Sequence[Credential],
    wanted: dict[int, tuple[str, ...]],
    drift: DriftSettings,
) -> CredentialCounts:
    """Window counts for every credential, each over the postings in its service region."""
    start, end, current_start = dates
    out = CredentialCounts()
    for credential in credentials:
        out.region_of[credential.id] = credential_region(credential, drift)
    for region in sorted(set(out.region_of.values())):
        where = [region_condition(region)] if region else []
        members = [cid for cid, reg in out.region_of.items() if reg == region]
        present = await present_keys(session, org_id, start, end, False, where)
        for cid in members:
            out.keys_of[cid] = [(code, reg) for code, reg in present if code_matches(code, wanted[cid])]
        needed = sorted({code for cid in members for code, _ in out.keys_of[cid]})
        keys = {cid: out.keys_of[cid] for cid in members if out.keys_of[cid]}
        out.of_region[region] = await run_counts(
            session, org_id, start, end, current_start, needed, keys, False, where
        )
    return out
