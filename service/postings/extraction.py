"""The CPU side of extraction, run in worker processes: text → mentions, title → occupation.

Everything here is a plain function of plain data, so it pickles into a process pool; the results are tuples,
cheap to send back and ready for a bulk insert.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_MENTION_TEXT = 1000


@dataclass(frozen=True, slots=True)
class Job:
    posting_id: int
    title: str
    text: str
    code_occupation: bool
    occupation: str | None = None  # the O*NET-SOC code the posting came with, if any


@dataclass(slots=True)
class Outcome:
    posting_id: int
    mentions: list[tuple]  # (start, end, text, kind, concept_id, concept_label, score, requirement)
    occupation: tuple[str, str, float] | None = None
    error: str | None = None


def _rows(mentions) -> list[tuple]:  # noqa: ANN001 - list[nlp.Mention]
    rows = []
    for m in mentions:
        concept = m.concept
        rows.append(
            (
                int(m.start),
                int(m.end),
                str(m.text)[:MAX_MENTION_TEXT],
                str(m.kind or "skill")[:16],
                concept.id[:500] if concept is not None else None,
                concept.label[:500] if concept is not None else None,
                float(m.score),
                m.requirement,
            )
        )
    return rows


def extractor_version() -> str:
    import nlp

    return str(nlp.EXTRACTOR_VERSION)


def warm_up() -> str:
    """Load the pipeline in this (worker) process ahead of the first batch; returns the extractor version."""
    import nlp

    nlp.get_extractor()
    nlp.extract("Experience with SQL required.")
    return str(nlp.EXTRACTOR_VERSION)


def extract_jobs(jobs: list[Job], batch_size: int = 64) -> tuple[str, list[Outcome]]:
    """Mentions for each job's text and, where asked, its occupation coded from the title.

    A posting that breaks the pipeline is isolated (retried alone) and reported with its error, so one bad
    posting never holds back the rest of its batch. An `nlp` that cannot load raises: nothing is marked.
    """
    import nlp

    version = str(nlp.EXTRACTOR_VERSION)
    coded = [_coded(job) for job in jobs]
    # the occupation guides linking (its O*NET / ESCO profile): the posting's own, else its title's code
    socs = [job.occupation or (c[0] if c else None) for job, c in zip(jobs, coded, strict=True)]
    texts = [job.text for job in jobs]
    try:
        found = nlp.extract_many(texts, batch_size=batch_size, occupations=socs)
        errors: list[str | None] = [None] * len(jobs)
    except Exception:  # noqa: BLE001 - isolate the posting that fails
        found, errors = [], []
        for text, soc in zip(texts, socs, strict=True):
            try:
                found.append(nlp.extract(text, occupation=soc))
                errors.append(None)
            except Exception as exc:  # noqa: BLE001 - recorded on the posting
                found.append([])
                errors.append(f"{type(exc).__name__}: {exc}"[:500])
    outcomes = []
    for job, mentions, error, occupation in zip(jobs, found, errors, coded, strict=True):
        outcome = Outcome(job.posting_id, _rows(mentions) if error is None else [], error=error)
        outcome.occupation = occupation
        outcomes.append(outcome)
    return version, outcomes


def _coded(job: Job) -> tuple[str, str, float] | None:
    """The occupation coded from the job's title (its text deciding between the title's candidates) when it is
    to be coded; None otherwise or on failure."""
    import nlp

    if not (job.code_occupation and job.title):
        return None
    try:
        coded = nlp.code_occupation(job.title, job.text)
    except Exception:  # noqa: BLE001 - an uncoded posting is still useful
        return None
    return (str(coded[0]), str(coded[1]), float(coded[2])) if coded is not None else None
