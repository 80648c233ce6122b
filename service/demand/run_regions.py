"""A drift run's counts per service region: the credentials sharing a region (or having none) are counted
together with service/demand/run_counts.py over the postings within it, so each distinct region costs one
set of aggregate queries (a college has one service area, or a few)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from service.credentials.models import Credential
from service.demand.concept_arrays import ConceptArrays
from service.demand.region_filter import credential_region, region_condition
from service.demand.run_counts import RunCounts, matching_codes, present_codes, run_counts
from service.settings import DriftSettings


@dataclass(slots=True)
class CredentialCounts:
    """Each credential's counts, read from the run counts of its region."""

    of_region: dict[tuple[str, ...], RunCounts] = field(default_factory=dict)
    region_of: dict[int, tuple[str, ...]] = field(default_factory=dict)
    codes_of: dict[int, list[str]] = field(default_factory=dict)  # the concrete codes it counts

    @classmethod
    def by_region(cls, credentials: Sequence[Credential], drift: DriftSettings) -> CredentialCounts:
        """Empty counts that know each credential's service region (what the counts are read per)."""
        out = cls()
        for credential in credentials:
            if credential.id is not None:  # stored rows all have one
                out.region_of[credential.id] = credential_region(credential, drift)
        return out

    def for_credential(self, credential_id: int) -> ConceptArrays:
        counts = self.of_region[self.region_of[credential_id]]
        return counts.arrays_for(self.codes_of[credential_id])

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
    out = CredentialCounts.by_region(credentials, drift)
    for region in sorted(set(out.region_of.values())):
        where = [region_condition(region)] if region else []
        members = [cid for cid, reg in out.region_of.items() if reg == region]
        present = await present_codes(session, org_id, start, end, where)
        for cid in members:
            out.codes_of[cid] = matching_codes(present, wanted[cid])
        needed = sorted({code for cid in members for code in out.codes_of[cid]})
        codes = {cid: out.codes_of[cid] for cid in members if out.codes_of[cid]}
        out.of_region[region] = await run_counts(
            session, org_id, start, end, current_start, needed, codes, where
        )
    return out
