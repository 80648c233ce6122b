"""``skillpulse nlp …``: extraction, measurement and taxonomy building.

Mounted by the service CLI with ``app.add_typer(nlp.cli.app, name="nlp")``, which also adds the training
commands of training/cli.py (train, teach, label-silver, train-embedding); runs alone as
``python -m nlp.cli``.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import typer

from .reference import REFERENCE_DATA

app = typer.Typer(
    help="Skill extraction: extract, evaluate, train, build the taxonomy.", no_args_is_help=True
)

DATA = REFERENCE_DATA  # SKILLPULSE_REFERENCE_DATA, default ../shared/data (nlp/reference.py)


@app.command()
def extract(
    batch_size: int = typer.Option(64, help="Texts per nlp.pipe batch."),
    lines: bool = typer.Option(False, "--lines", help="Treat every input line as a separate text."),
) -> None:
    """Read text from stdin and print its mentions as JSON lines."""
    from .pipeline import extract_many

    raw = sys.stdin.read()
    texts = raw.splitlines() if lines else [raw]
    for i, mentions in enumerate(extract_many(texts, batch_size=batch_size)):
        for m in mentions:
            d = m.to_dict()
            if lines:
                d["line"] = i
            typer.echo(json.dumps(d, ensure_ascii=False))


@app.command()
def evaluate(
    files: list[Path] = typer.Argument(..., help="CoNLL files (token, skill-BIO, knowledge-BIO)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of a table."),
    model: Path | None = typer.Option(None, help="A trained model directory (default: the shipped model)."),
    group: int = typer.Option(
        1,
        help="Join N consecutive sentences into one text, cut by the posting segmenter (1: one by one).",
    ),
) -> None:
    """Strict and loose span precision / recall / F1 per file (gold tokens, skill ∪ knowledge), words/s."""
    from .evaluate import evaluate_files
    from .pipeline import Extractor, get_extractor

    ex = Extractor(model) if model else get_extractor()
    res = evaluate_files(files, ex, group=group)
    if as_json:
        typer.echo(json.dumps({"extractor_version": ex.version, "files": res}, indent=2))
        return
    typer.echo(f"extractor {ex.version}" + (f", {group} sentences per text" if group > 1 else ""))
    typer.echo(
        f"{'file':40s} {'strict P':>8s} {'R':>6s} {'F1':>6s}  "
        f"{'loose P':>8s} {'R':>6s} {'F1':>6s} {'words/s':>8s} {'per CPU s':>9s}"
    )
    for f, r in res.items():
        s, lo = r["strict"], r["loose"]
        typer.echo(
            f"{Path(f).name:40s} {s['p']:8.4f} {s['r']:6.4f} {s['f1']:6.4f}  "
            f"{lo['p']:8.4f} {lo['r']:6.4f} {lo['f1']:6.4f} "
            f"{r['words_per_second']:8d} {r['words_per_cpu_second']:9d}"
        )


@app.command("evaluate-linking")
def evaluate_linking(
    files: list[Path] = typer.Argument(..., help="esco-linking CSV files (sentence, span, sub_span, label)."),
    k: int = typer.Option(5, help="Also report accuracy at k."),
    split: str = typer.Option("report", help="report (the blocks not fitted on) | tune | all"),
    threshold: float = typer.Option(0.5, help="Report the precision of top-1 answers scored at least this."),
) -> None:
    """Span → ESCO concept: acc@1 / acc@k, and the precision of confident answers (ESCO concepts only)."""
    from .linking_eval import span_rows, span_scores

    for f in files:
        rows = [r for r in span_rows(f) if split == "all" or r.tuning == (split == "tune")]
        r = span_scores(rows, k=k, threshold=threshold)
        typer.echo(f"{f.name:40s} {split}: " + " ".join(f"{key}={v}" for key, v in r.items()))


@app.command("fit-linking")
def fit_linking(
    files: list[Path] = typer.Argument(..., help="esco-linking CSV files (tuning blocks only)."),
    write: bool = typer.Option(False, "--write", help="Write the weights to nlp/config/linking.json."),
) -> None:
    """Fit the weights that combine lexical and meaning evidence into a probability (tuning blocks only)."""
    from .linking_eval import fit_weights, span_rows
    from .meaning import WEIGHTS_FILE

    rows = [r for f in files for r in span_rows(f) if r.tuning]
    w = fit_weights(rows)
    if WEIGHTS_FILE.exists():  # the rest (scheme intercepts, the "extract" set...) comes from other data
        kept = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
        w = {**kept, **{k: v for k, v in w.items() if k != "scheme"}, "scheme": kept.get("scheme", {})}
    typer.echo(json.dumps(w))
    if write:
        WEIGHTS_FILE.write_text(json.dumps(w, indent=2) + "\n", encoding="utf-8")
        typer.echo(f"wrote {WEIGHTS_FILE}")


@app.command("evaluate-sentences")
def evaluate_sentences(
    files: list[Path] = typer.Argument(None, help="esco-linking CSV files (a sentence's labels)."),
    k: int = typer.Option(5, help="RP@k."),
    split: str = typer.Option(
        "all",
        help="all (nothing is tuned on them) | report (the blocks the span linker's weights were not fitted on)",
    ),
    nearest: bool = typer.Option(False, "--nearest", help="Rank by the sentence embedding's cosine alone."),
    skillskape: bool = typer.Option(
        False, "--skillskape", help="Instead: RP@5 and the precision by threshold on SkillSkape dev (tuning)."
    ),
    shared: Path = typer.Option(DATA, help="The shared data folder (for --skillskape)."),
) -> None:
    """Sentence → ESCO concepts (the extreme multi-label task): RP@k over every sentence of each file."""
    from .linking_eval import rp_at_k, sentence_gold
    from .sentences import nearest_concepts, rank_concepts

    if skillskape:
        from .sentence_fit import precision_at, rp5, skillskape_items
        from .sentence_rank import DEFAULT, weights

        dev = skillskape_items(shared)
        w = DEFAULT if nearest else weights()
        typer.echo(f"SkillSkape dev n={len(dev)} RP@5={rp5(dev, w)}")
        for row in precision_at(dev, w, [round(0.5 + 0.025 * i, 3) for i in range(17)]):
            typer.echo(json.dumps(row))
        return
    for f in files or []:
        items = [(s, g) for s, g, tuning in sentence_gold(f) if split == "all" or not tuning]
        rank = nearest_concepts if nearest else rank_concepts
        ranked = [[c.id for c, _ in rank(s, k, ("esco",))] for s, _ in items]
        typer.echo(f"{f.name:40s} {split}: n={len(items)} RP@{k}={rp_at_k(ranked, [g for _, g in items], k)}")


@app.command("fit-sentences")
def fit_sentences(
    shared: Path = typer.Option(DATA, help="The shared data folder (SkillSkape dev)."),
    write: bool = typer.Option(False, "--write", help="Write the weights to nlp/config/sentences.json."),
) -> None:
    """Choose the sentence ranker's weights on SkillSkape dev and the posting set's tune split."""
    from .sentence_fit import fit, posting_items, skillskape_items
    from .sentence_rank import WEIGHTS_FILE

    w = fit(skillskape_items(shared), posting_items("tune"))
    w["fitted_on"] = "skillpulse nlp fit-sentences: SkillSkape dev + the tune postings of eval/postings.jsonl"
    typer.echo(json.dumps(w))
    if write:
        WEIGHTS_FILE.write_text(json.dumps(w, indent=2) + "\n", encoding="utf-8")
        typer.echo(f"wrote {WEIGHTS_FILE}")


@app.command("evaluate-dwa")
def evaluate_dwa(shared: Path = typer.Option(DATA, help="The shared data folder.")) -> None:
    """O*NET task → DWA on the held-out fifth of occupations: acc@1 and RP@5."""
    from .linking_eval import task_dwa_scores

    typer.echo(json.dumps(task_dwa_scores(shared)))


@app.command("evaluate-concepts")
def evaluate_concepts(
    file: Path = typer.Argument(None, help="A posting gold file (default: nlp/eval/postings.jsonl)."),
    split: str = typer.Option("test", help="test (reported) | tune (thresholds chosen on it) | all"),
    sentences: bool = typer.Option(False, help="Also count what each sentence expresses."),
    sentence_threshold: float | None = typer.Option(
        None,
        help="Score above which a sentence expresses a concept (default: nlp.sentences.SENTENCE_THRESHOLD).",
    ),
    show: int = typer.Option(0, help="Print this many missed and wrong concepts."),
    occupation_source: str = typer.Option(
        "title",
        "--occupation",
        help="The extractor's occupation: title (coded from the title, as the worker) | given | none",
    ),
) -> None:
    """Concept recall and precision per occupation on the labelled middle-skill postings."""
    from .concepts_eval import evaluate_concepts as run
    from .occupations import occupation
    from .postings_gold import POSTINGS_GOLD_FILE, load_postings_gold
    from .sentences import SENTENCE_THRESHOLD

    try:
        gold = load_postings_gold(file or POSTINGS_GOLD_FILE)
        threshold = SENTENCE_THRESHOLD if sentence_threshold is None else sentence_threshold
        tallies = run(gold, split, sentences, threshold, occupation_source)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    for key in sorted(tallies, key=lambda k: (k == "all", k)):
        s = tallies[key].scores()
        occ = None if key == "all" else occupation(key)
        name = "all" if key == "all" else f"{key} {(occ.title if occ else '')[:34]}"
        typer.echo(
            f"{name:46s} postings={s['postings']:3d} recall={s['recall']:.3f} precision={s['precision']:.3f}"
        )
    if show and "all" in tallies:
        typer.echo("missed: " + "; ".join(tallies["all"].missed[:show]))
        typer.echo("wrong: " + "; ".join(tallies["all"].wrong[:show]))


@app.command("evaluate-titles")
def evaluate_titles(limit: int = typer.Option(0, help="Only the first N held-out titles (0 = all).")) -> None:
    """Title → O*NET-SOC accuracy@1 on the held-out slice of O*NET titles that are not indexed."""
    from .titles import evaluate_titles as run

    t0 = time.perf_counter()
    r = run(limit)
    typer.echo(
        f"held-out titles n={r['n']} acc@1={r['acc@1']:.4f} "
        f"(same 6-digit SOC: {r['acc@1_soc_detailed']:.4f}) in {time.perf_counter() - t0:.1f}s"
    )


@app.command("build-taxonomy")
def build_taxonomy(
    source: Path = typer.Option(DATA / "taxonomy", help="Raw taxonomy folder (esco/, onet/, onet-29.3/)."),
) -> None:
    """Regenerate the packaged compact taxonomy (and title index) from the shared raw data."""
    from .taxonomy import TAXONOMY_FILE
    from .taxonomy_build import build_taxonomy as build

    typer.echo(json.dumps(build(source, TAXONOMY_FILE)))


@app.command()
def version() -> None:
    """Print the extractor version (model + taxonomy)."""
    from .version import extractor_version

    typer.echo(extractor_version())


if __name__ == "__main__":
    app()
