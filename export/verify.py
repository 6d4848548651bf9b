"""Gates an artifact must pass before it is written: ONNX parity with the training model."""

from __future__ import annotations

import numpy as np


class GateError(RuntimeError):
    """The exported model does not behave like the model it was exported from."""


def parity(reference: np.ndarray, exported: np.ndarray, tolerance: float = 1e-4) -> float:
    """The largest score difference; raises GateError past `tolerance`."""
    worst = float(np.max(np.abs(np.asarray(reference) - np.asarray(exported)), initial=0.0))
    if worst > tolerance:
        raise GateError(f"ONNX scores differ from the trained model's by {worst:.2e} "
                        f"(allowed {tolerance:.0e}); the artifact was not written")
    return worst
