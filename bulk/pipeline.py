"""The Beam pipeline: files -> messages -> model texts -> RunInference -> scores, dead letters, counts.

    files --Read--> messages --Spread--> --Parse--> texts --Score (RunInference)--> rows --> scores
              \\--> dead letters              \\--> dead letters ---------------------------> dead
    read = scored + dead letters, counted from the collections themselves --------------> counts
"""

from __future__ import annotations

from dataclasses import dataclass, field

import apache_beam as beam
from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems
from apache_beam.ml.inference.base import KeyedModelHandler, RunInference
from apache_beam.pvalue import AsDict, AsSingleton, TaggedOutput

from bulk import gcs, output, parse, progress, sources
from bulk.handler import ScamModelHandler
from function.contract import DEFAULT_MAX_BATCH

DEAD = "dead"


@dataclass(frozen=True)
class Job:
    files: list[str]
    output: output.Paths
    model_uri: str
    columns: sources.Columns = field(default_factory=sources.Columns)
    threads: int = 1
    threshold: float | None = None
    batch_size: int = DEFAULT_MAX_BATCH
    progress_dir: str | None = None


class ReadFile(beam.DoFn):
    """A file path -> its messages, and a dead letter for whatever cannot be read."""

    def __init__(self, columns: sources.Columns, progress_dir: str | None) -> None:
        self._columns = columns
        self._progress = progress_dir

    def setup(self) -> None:
        gcs.use_emulator_if_set()

    def process(self, path: str):
        try:
            handle = FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED)
        except Exception as error:  # gone since the match, no permission: any cause, one dead letter
            yield self._emit(sources.DeadLetter(path, "unreadable", f"{type(error).__name__}: {error}"))
            return
        try:
            for item in sources.read(path, handle, self._columns):
                yield self._emit(item)
        finally:
            handle.close()

    def _emit(self, item: sources.Message | sources.DeadLetter):
        progress.add(self._progress, "read")
        if isinstance(item, sources.DeadLetter):
            progress.add(self._progress, "dead")
            return TaggedOutput(DEAD, item)
        return item


class Parse(beam.DoFn):
    """A message -> (id, the texts the model reads), or a dead letter."""

    def __init__(self, progress_dir: str | None) -> None:
        self._progress = progress_dir

    def process(self, message: sources.Message):
        readings = parse.model_text(message)
        if isinstance(readings, sources.DeadLetter):
            progress.add(self._progress, "dead")
            yield TaggedOutput(DEAD, readings)
        else:
            yield message.id, readings


def _summary(_, read: int, scored: int, dead: dict[str, int]) -> str:
    return output.json_line(output.counts(read, scored, dead))


def build(pipeline: beam.Pipeline, job: Job) -> None:
    """Adds the whole run to `pipeline`: three files written, nothing returned."""
    handler = ScamModelHandler(job.model_uri, threads=job.threads, threshold=job.threshold,
                               batch_size=job.batch_size, progress_dir=job.progress_dir)
    files = (pipeline
             | "Files" >> beam.Create(job.files)
             | "SpreadFiles" >> beam.Reshuffle())
    read = files | "Read" >> beam.ParDo(ReadFile(job.columns, job.progress_dir)).with_outputs(
        DEAD, main="messages")
    parsed = (read.messages
              | "Spread" >> beam.Reshuffle()
              | "Parse" >> beam.ParDo(Parse(job.progress_dir)).with_outputs(DEAD, main="texts"))
    rows = (parsed.texts
            | "Score" >> RunInference(KeyedModelHandler(handler))
            | "Rows" >> beam.MapTuple(lambda id_, result: output.row(id_, result.inference)))
    dead = (read[DEAD], parsed[DEAD]) | "DeadLetters" >> beam.Flatten()

    csv = job.output.csv
    (rows
     | "Format" >> beam.Map(output.csv_line if csv else output.json_line)
     | "WriteScores" >> beam.io.WriteToText(job.output.scores, shard_name_template="",
                                            header=output.csv_header() if csv else None))
    (dead
     | "FormatDead" >> beam.Map(sources.DeadLetter.to_json)
     | "WriteDead" >> beam.io.WriteToText(job.output.dead, shard_name_template=""))

    read_count = ((read.messages, read[DEAD]) | "AllRead" >> beam.Flatten()
                  | "CountRead" >> beam.combiners.Count.Globally())
    scored_count = rows | "CountScored" >> beam.combiners.Count.Globally()
    reasons = (dead | "Reason" >> beam.Map(lambda letter: letter.reason)
               | "CountDead" >> beam.combiners.Count.PerElement())
    (pipeline
     | "Once" >> beam.Create([None])
     | "Counts" >> beam.Map(_summary, AsSingleton(read_count), AsSingleton(scored_count), AsDict(reasons))
     | "WriteCounts" >> beam.io.WriteToText(job.output.counts, shard_name_template=""))
