"""The adapted artifact: the base's files with a new head (weights initializer and bias constant of
the graph, and explain.npz, so reasons still add up to the graph's logit) or only a new threshold;
staged beside OUT, checked by loading it with the serving code, then renamed into place."""

from __future__ import annotations

import copy
import datetime
import hashlib
import json
import shutil
import tempfile
from pathlib import Path

import numpy as np
from onnx import numpy_helper

from export import fast, package, verify
from export.adapt.base import Base, Head
from function import artifact
from function.model import Model

_STALE = ("canaries", "metrics", "gates", "sha256", "version", "created", "schema", "adapted_from",
          "adaptation")


def graph_bytes(base: Base, new: Head | None) -> bytes:
    """The base graph with the new head's weights and bias (the base's bytes when there is none)."""
    if new is None:
        return base.art.graph.read_bytes()
    graph = copy.deepcopy(base.graph)
    for index, tensor in enumerate(graph.graph.initializer):
        if tensor.name == "weights":
            graph.graph.initializer[index].CopyFrom(
                numpy_helper.from_array(new.weights.astype(np.float32), "weights"))
    for node in graph.graph.node:
        if node.op_type == "Constant" and list(node.output) == ["bias"]:
            value = numpy_helper.from_array(np.array(new.bias, dtype=np.float32), "bias")
            node.attribute[0].t.CopyFrom(value)
    return graph.SerializeToString()


def _files(base: Base, new: Head | None) -> dict[str, bytes]:
    """File name -> bytes of the new artifact, under the base's own names."""
    names = base.art.meta["files"]
    files = {names[key]: (base.art.root / names[key]).read_bytes() for key in names}
    files[names["graph"]] = graph_bytes(base, new)
    if new is not None:
        files[names["explain"]] = fast.explanation(
            fast.FastModel(base.tokenizer, base.encoding, new.idf, new.weights, new.bias))
    return files


def version(files: dict[str, bytes], threshold: float) -> str:
    """A new version whenever a file or the threshold differs: a threshold-only artifact must not
    share the base's version (deploy.sh uploads to models/<version>/)."""
    digest = hashlib.sha256(json.dumps(round(threshold, 6)).encode())
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    return digest.hexdigest()[:12]


def build(base: Base, new: Head | None, threshold: float, adaptation: dict, out: Path,
          reference: tuple[list[str], np.ndarray]) -> tuple[Path, Model, dict]:
    """Stages the artifact in a hidden folder beside `out`: (folder, its served model, model.json).
    Checked by loading it with the serving code: the served scores of `reference` (texts, the
    scores the fitted head gives them) within 1e-4, canaries re-scored and re-checked."""
    files = _files(base, new)
    meta = {k: v for k, v in base.art.meta.items() if k not in _STALE}
    meta.update(name=f"{base.art.name.removesuffix('-adapted')}-adapted", threshold=round(threshold, 6),
                version=version(files, threshold),
                created=datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat(),
                adapted_from={"name": base.art.name, "version": base.art.version}, adaptation=adaptation)
    out.parent.mkdir(parents=True, exist_ok=True)
    staged = Path(tempfile.mkdtemp(prefix=f".{out.name}.staging-", dir=out.parent))
    try:
        staged.chmod(0o755)
        for name, data in files.items():
            (staged / name).write_bytes(data)
        artifact.write_metadata(staged, meta)
        model = package.loaded(staged)  # no canaries yet: they are scored by this very model
        texts, expected = reference
        meta["gates"] = {"parity_max_abs": verify.parity(expected, model.scores(texts))}
        meta["canaries"] = package.canaries(model)
        artifact.write_metadata(staged, meta)
        model = Model(artifact.read(staged), threads=2)  # the canaries as written hold
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise
    return staged, model, meta

