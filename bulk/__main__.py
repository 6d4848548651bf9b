"""python -m bulk INPUT... --output PATH: score a mail archive with the function's artifact on Beam.

Exit status: 0 when every message read was scored or dead-lettered, 1 if the run failed or the
counts do not add up, 2 for bad arguments (no such input, a model that does not load).
"""

from __future__ import annotations

import argparse
import difflib
import json
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

from bulk import gcs, inputs, output, progress
from bulk.fetch import local_artifact
from bulk.sources import Columns
from function import artifact, store

ROOT = Path(__file__).resolve().parent.parent
REMOTE = ("DataflowRunner",)  # runners whose workers are other machines


def _quiet_beam() -> None:
    """Drops Beam's noise, not its errors: its local workers' start-up warnings, and RunInference's
    memory metric warning (Beam imports `resource` together with a torch-only module)."""
    logging.getLogger("apache_beam.runners.portability.local_job_service").setLevel(logging.ERROR)
    logging.getLogger().addFilter(lambda record: "Resource module is not" not in record.getMessage())


def parse_args(argv: list[str] | None) -> tuple[argparse.Namespace, list[str]]:
    parser = argparse.ArgumentParser(
        prog="python -m bulk",
        description="Score mbox files, folders of .eml/.txt messages and CSV/JSONL files (a text column) "
                    "with the scam model, on Apache Beam.",
        epilog="Beam's own pipeline options (--name=value) go to Beam; any other option is refused. "
               "E.g. --project=P --region=R --temp_location=gs://B/tmp "
               "for --runner=DataflowRunner, and --template_location=gs://... to stage a job without "
               "running it (see docs/bulk.md).")
    parser.add_argument("inputs", nargs="+", metavar="INPUT", help="files, folders or globs, local or gs://")
    parser.add_argument("--output", required=True,
                        help="scores.jsonl or scores.csv (local or gs://); dead letters, counts beside it")
    parser.add_argument("--model", default=str(ROOT / "model"), help="the artifact: a folder or gs://B/prefix/")
    parser.add_argument("--threshold", type=float, help="decision threshold (default: the artifact's)")
    parser.add_argument("--batch-size", type=int, default=64, help="texts per model call (default 64)")
    parser.add_argument("--text-column", default="text", help="CSV column / JSONL field with the text")
    parser.add_argument("--id-column", default="id", help="CSV column / JSONL field with an id, if any")
    parser.add_argument("--threads", type=int,
                        help="ONNX Runtime threads per worker process (default: CPUs / workers; remote 1)")
    parser.add_argument("--runner", default="DirectRunner", help="DirectRunner (default) or DataflowRunner")
    parser.add_argument("--direct_num_workers", type=int, default=1, help="DirectRunner worker processes")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    args, beam_args = parser.parse_known_args(argv)
    unknown = _unknown_to_beam([a for a in beam_args if a.startswith("--")])
    if unknown:  # Beam would only warn "Discarding unparseable args" and run without it
        ours = [name for action in parser._actions for name in action.option_strings if name.startswith("--")]
        near = _nearest(unknown, ours + _beam_options())
        parser.error(f"unknown option {unknown}: " + (f"did you mean {near}?" if near else
                                                       "neither bulk's nor one of Beam's pipeline options"))
    stray = [a for a in beam_args if not a.startswith("--")]
    if stray:
        parser.error(f"unexpected {stray}: give Beam's options as --name=value, after the INPUTs")
    if args.batch_size < 1 or args.direct_num_workers < 1 or (args.threads is not None and args.threads < 1):
        parser.error("--batch-size, --direct_num_workers and --threads must be at least 1")
    if args.threshold is not None and not 0 < args.threshold < 1:
        parser.error("--threshold must be between 0 and 1")
    return args, beam_args


def _beam_parser():
    """Beam's own parser of every PipelineOptions class, built as PipelineOptions builds it."""
    from apache_beam.options.pipeline_options import PipelineOptions, _BeamArgumentParser

    parser = _BeamArgumentParser(allow_abbrev=False)
    for options in {str(cls): cls for cls in PipelineOptions.__subclasses__()}.values():
        options._add_argparse_args(parser)
    return parser


def _beam_options() -> list[str]:
    return [name for action in _beam_parser()._actions for name in action.option_strings]


def _nearest(name: str, options: list[str]) -> str | None:
    """The option spelled most like `name`, dashes aside, if one is close."""
    bare = {option.lstrip("-"): option for option in options}
    near = difflib.get_close_matches(name.lstrip("-"), bare, n=1, cutoff=0.75)
    return bare[near[0]] if near else None


def _unknown_to_beam(beam_args: list[str]) -> str | None:
    """The first of `beam_args` that is none of Beam's pipeline options (its name), or None."""
    if not beam_args:
        return None
    _, unknown = _beam_parser().parse_known_args(beam_args)
    names = [arg.split("=", 1)[0] for arg in unknown if arg.startswith("--")]
    return names[0] if names else None


def _cpus() -> int:
    return len(os.sched_getaffinity(0))


def pipeline_options(args: argparse.Namespace, beam_args: list[str], scratch: Path):
    """Beam's options: the user's, plus the runner's; for Dataflow, bulk's wheel built in `scratch`."""
    from apache_beam.options.pipeline_options import PipelineOptions

    extra = [f"--runner={args.runner}"]
    if args.runner in REMOTE:
        from bulk import package

        own = ("--setup_file", "--extra_package", "--sdk_container_image")  # the user ships the code
        if not any(a.startswith(own) for a in beam_args):
            extra.append(f"--extra_package={package.wheel(scratch)}")
    else:
        extra.append(f"--direct_num_workers={args.direct_num_workers}")
        if args.direct_num_workers > 1 and not any(a.startswith("--direct_running_mode") for a in beam_args):
            extra.append("--direct_running_mode=multi_processing")  # processes: the GIL stays out of it
    return PipelineOptions([*beam_args, *extra])


def _check_remote(args: argparse.Namespace) -> None:
    local = [p for p in (*args.inputs, args.output, args.model) if not p.startswith("gs://")]
    if local:
        raise inputs.InputError(f"{args.runner} workers cannot read local paths {local}: use gs:// "
                                "(./deploy.sh model uploads the artifact)")


def _write(path: str, text: str) -> None:
    from apache_beam.io.filesystems import FileSystems

    with FileSystems.create(path) as handle:
        handle.write(text.encode())


def _read(path: str) -> str:
    from apache_beam.io.filesystems import FileSystems

    with FileSystems.open(path) as handle:
        return handle.read().decode()


def main(argv: list[str] | None = None) -> int:
    args, beam_args = parse_args(argv)
    gcs.use_emulator_if_set()
    _quiet_beam()
    try:
        if args.runner in REMOTE:
            _check_remote(args)
        files = inputs.expand(args.inputs)
        model = local_artifact(args.model)  # the launcher checks the model before any worker starts
    except (inputs.InputError, artifact.ArtifactError, store.StoreError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="bulk-") as scratch:
        return _run(args, beam_args, Path(scratch), files, model)


def _run(args: argparse.Namespace, beam_args: list[str], scratch: Path, files: list[str],
         model: artifact.Artifact) -> int:
    import apache_beam as beam

    from bulk.pipeline import Job, build

    remote = args.runner in REMOTE
    threads = args.threads or (1 if remote else max(1, _cpus() // args.direct_num_workers))
    paths = output.paths(args.output)
    where = "" if remote else f" ({args.direct_num_workers} worker(s) x {threads} thread(s))"
    print(f"scoring {len(files)} file(s) with {model.name} {model.version} on {args.runner}{where}",
          file=sys.stderr)
    # DirectRunner's worker processes import bulk and function like this process does.
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    progress_dir = None if remote else str(scratch / "progress")
    if progress_dir:
        os.mkdir(progress_dir)
    job = Job(files, paths, args.model, Columns(args.text_column, args.id_column), threads, args.threshold,
              args.batch_size, progress_dir)
    watch = progress.Watch(progress_dir, enabled=not args.no_progress) if progress_dir else None
    template = next((a.split("=", 1)[1] for a in beam_args if a.startswith("--template_location=")), None)
    started = time.perf_counter()
    try:
        with beam.Pipeline(options=pipeline_options(args, beam_args, scratch)) as pipeline:
            build(pipeline, job)
        if template:  # Dataflow staged the code and wrote the job: nothing ran yet
            print(f"Dataflow template written to {template}; run it with: gcloud dataflow jobs run NAME "
                  f"--gcs-location={template} --region=REGION", file=sys.stderr)
            return 0
        counts = json.loads(_read(paths.counts))
    except Exception as error:  # Beam re-raises a worker's error with its whole traceback: the gist
        if watch:
            watch.stop()
        print(f"error: the run failed: {type(error).__name__}: {str(error)[-2000:]}", file=sys.stderr)
        return 1
    seconds = time.perf_counter() - started
    loads = progress.total(progress_dir)["loads"] if progress_dir else None
    if watch:
        watch.stop(progress.Counter(read=counts["read"], scored=counts["scored"],
                                    dead=counts["dead_lettered"], loads=loads or 0))
    counts.update(model={"name": model.name, "version": model.version}, runner=args.runner,
                  workers=None if remote else args.direct_num_workers, threads=threads,
                  batch_size=args.batch_size, model_loads=loads, files=len(files), seconds=round(seconds, 3),
                  messages_per_second=round(counts["read"] / seconds, 1) if seconds else None,
                  outputs={"scores": paths.scores, "dead_letters": paths.dead})
    _write(paths.counts, json.dumps(counts, indent=2) + "\n")
    _report(counts, paths)
    return 0 if counts["adds_up"] else 1


def _report(counts: dict, paths: output.Paths) -> None:
    reasons = ", ".join(f"{k} {v}" for k, v in counts["dead_by_reason"].items())
    loads = counts["model_loads"]
    print(f"read {counts['read']}, scored {counts['scored']}, dead-lettered {counts['dead_lettered']}"
          + (f" ({reasons})" if reasons else "")
          + f" in {counts['seconds']:.1f} s ({counts['messages_per_second']} messages/s)"
          + ("" if loads is None else f"; model loaded {loads} time(s)"), file=sys.stderr)
    print(f"scores: {paths.scores}\ndead letters: {paths.dead}\ncounts: {paths.counts}", file=sys.stderr)
    if not counts["adds_up"]:
        print("error: read != scored + dead-lettered", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
