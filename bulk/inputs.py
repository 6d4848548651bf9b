"""INPUT arguments -> the files to read: files, folders (read recursively) and globs, local or gs://."""

from __future__ import annotations

import glob
from pathlib import Path

GLOB = "*?["


class InputError(ValueError):
    """An INPUT names nothing to read."""


def _hidden(relative: str) -> bool:
    """A path inside a folder that has a hidden part (.DS_Store, .git/...): skipped, as `ls` would."""
    return any(part.startswith(".") for part in relative.split("/"))


def _local(given: str) -> list[str]:
    paths = [Path(p) for p in glob.glob(given, recursive=True)] if any(c in given for c in GLOB) else [
        Path(given)]
    files: list[str] = []
    for path in paths:
        if path.is_dir():
            inside = sorted(p for p in path.rglob("*") if p.is_file())
            files.extend(str(p) for p in inside if not _hidden(p.relative_to(path).as_posix()))
        elif path.is_file():
            files.append(str(path))
    return files


def _match(pattern: str, given: str) -> list[str]:
    from apache_beam.io.filesystems import FileSystems

    try:
        found = FileSystems.match([pattern])[0].metadata_list
    except Exception as error:  # Beam wraps every storage error in BeamIOError
        raise InputError(f"{given}: cannot list it: {error}") from None
    return sorted(m.path for m in found if not m.path.endswith("/"))


def _remote(given: str) -> list[str]:
    """A glob; else the object named, if there is one; else the folder, less its hidden files."""
    if any(c in given for c in GLOB):
        return _match(given, given)
    if not given.endswith("/"):
        exact = [f for f in _match(given, given) if f == given]  # not every name it begins
        if exact:
            return exact
    folder = given.rstrip("/") + "/"
    return [f for f in _match(folder + "**", given) if not _hidden(f[len(folder):])]


def expand(inputs: list[str]) -> list[str]:
    """Every file named by `inputs`, each once, in the order given (a folder's files sorted)."""
    files: dict[str, None] = {}
    for given in inputs:
        found = _remote(given) if "://" in given else _local(given)
        if not found:
            raise InputError(f"{given}: no such file or folder, or no file matches")
        files.update(dict.fromkeys(found))
    return list(files)
