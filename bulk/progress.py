"""Progress of a run on this machine: each worker process writes its running counts to a small
JSON file in one folder; the launcher sums the files into a progress bar.

DirectRunner's workers are threads or separate processes, and Beam's metrics are only read once
the run is over, hence the files. Writes are throttled, atomic (rename) and best effort: progress
is never worth failing a run for. Without a folder (Dataflow), everything here does nothing.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from collections import Counter
from pathlib import Path

EVERY = 0.5  # seconds between two writes of one process's counts

_lock = threading.Lock()
_counts: dict[str, Counter] = {}  # folder -> this process's counts
_written: dict[str, float] = {}


def add(folder: str | None, key: str, n: int = 1, now: bool = False) -> None:
    """Adds n to this process's `key`; writes the counts at most every EVERY seconds (or `now`)."""
    if not folder:
        return
    with _lock:
        counts = _counts.setdefault(folder, Counter())
        counts[key] += n
        if not now and time.monotonic() - _written.get(folder, 0.0) < EVERY:
            return
        _written[folder] = time.monotonic()
        snapshot = json.dumps(counts)
    path = Path(folder) / f"{os.getpid()}.json"
    with contextlib.suppress(OSError):
        temp = path.with_suffix(".tmp")
        temp.write_text(snapshot)
        temp.replace(path)


def total(folder: str) -> Counter:
    """The counts of every process that reported into `folder`, summed."""
    summed: Counter = Counter()
    for path in Path(folder).glob("*.json"):
        with contextlib.suppress(OSError, ValueError):
            summed.update(json.loads(path.read_text()))
    return summed


class Watch:
    """A progress bar on stderr fed from `folder` by a background thread, until stopped."""

    def __init__(self, folder: str, enabled: bool = True) -> None:
        from tqdm import tqdm

        self.folder = folder
        self._stop = threading.Event()
        self._bar = tqdm(total=0, unit="msg", desc="scoring", disable=not enabled, dynamic_ncols=True)
        self._thread = threading.Thread(target=self._run, name="bulk-progress", daemon=True)
        self._thread.start()

    def _show(self, counts: Counter) -> None:
        done = counts["scored"] + counts["dead"]
        self._bar.total = max(counts["read"], done)
        self._bar.n = done
        self._bar.set_postfix(read=counts["read"], dead=counts["dead"], loads=counts["loads"], refresh=False)
        self._bar.refresh()

    def _run(self) -> None:
        while not self._stop.wait(EVERY):
            self._show(total(self.folder))

    def stop(self, final: Counter | None = None) -> None:
        self._stop.set()
        self._thread.join()
        self._show(final if final is not None else total(self.folder))
        self._bar.close()
