"""A credential's profile gap: its occupations' standard profiles (O*NET, ESCO) against its competencies.

The profile is read in the NLP pool (the packaged taxonomy and occupation data live there); coverage is the
demand coverage rule (``Curriculum.is_covered``), so a concept counts as covered here exactly when it would in
the alignment with demand. The rules: ``service.demand.profile_gap``."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from service.credentials.models import Credential
from service.demand.curricula import Curriculum, curricula
from service.demand.profile_gap import Profile, occupation_profile, profile_gap
from service.demand.runs import usable_occupations
from service.demand.schemas import ProfileGapGroup, ProfileGapItem, ProfileGapRead, ProfileOccupation
from service.nlp_runner import NlpRunner
from service.settings import DriftSettings

NO_OCCUPATIONS = (
    "This credential names no occupation codes, so there is no standard profile to compare it with."
)
NO_IMPORTANCE = (
    "O*NET's shared data has no task importance ratings: tasks are listed core first, in O*NET's order."
)


def _notes(profile: Profile) -> str:
    notes = [NO_IMPORTANCE]
    if profile.unknown:
        notes.append(f"O*NET does not know {', '.join(profile.unknown)}.")
    unlinked = [title for _soc, title in profile.occupations if not _has_task_dwas(profile, title)]
    if unlinked:
        notes.append(
            f"O*NET's shared data links no task of {'; '.join(unlinked)} to a work activity, so those tasks "
            "cannot be shown as covered."
        )
    return " ".join(notes)


def _has_task_dwas(profile: Profile, title: str) -> bool:
    return any(e.dwa_ids and title in e.sources for e in profile.entries if e.kind.endswith("_task"))


async def credential_profile_gap(
    session: AsyncSession, drift: DriftSettings, nlp: NlpRunner, credential: Credential
) -> ProfileGapRead:
    """What the standard profiles of the credential's occupations list, each item covered or not."""
    codes = list(usable_occupations(credential.occupations))
    credential_id = int(credential.id or 0)
    if not codes:
        return ProfileGapRead(
            credential_id=credential_id,
            name=credential.name,
            occupations=[],
            esco_occupations=[],
            unknown_occupations=[],
            listed=0,
            covered=0,
            groups=[],
            note=NO_OCCUPATIONS,
        )
    profile = await nlp.run(occupation_profile, codes)
    teaching = await curricula(session, credential.org_id, drift.fuzzy_threshold, credential.id)
    curriculum = teaching.get(credential_id) or Curriculum(fuzzy_threshold=drift.fuzzy_threshold)
    covered_by = curriculum.is_covered(profile.concepts())
    groups = [
        ProfileGapGroup(
            kind=g.kind,  # type: ignore[arg-type]
            title=g.title,
            listed=g.listed,
            covered=g.covered,
            items=[
                ProfileGapItem(
                    kind=i.kind,
                    id=i.id,
                    label=i.label,
                    covered=i.covered,
                    sentence=i.sentence,
                    listed_by=list(i.sources),
                    core=i.core,
                    dwa_ids=list(i.dwa_ids),
                )  # fmt: skip
                for i in g.items
            ],
        )
        for g in profile_gap(profile, {cid for cid, matches in covered_by.items() if matches})
    ]
    return ProfileGapRead(
        credential_id=credential_id,
        name=credential.name,
        occupations=[ProfileOccupation(code=c, title=t) for c, t in profile.occupations],
        esco_occupations=[ProfileOccupation(code=c, title=t) for c, t in profile.esco_occupations],
        unknown_occupations=profile.unknown,
        listed=sum(g.listed for g in groups),
        covered=sum(g.covered for g in groups),
        groups=groups,
        note=_notes(profile),
    )
