"""Gates an artifact must pass before it is written: ONNX parity with the training model."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import roc_auc_score

MIN_AGREEMENT = 0.995  # share of test e-mails whose decision int8 must keep
MAX_AUC_DROP = 0.001


class GateError(RuntimeError):
    """The exported model does not behave like the model it was exported from."""


def parity(reference: np.ndarray, exported: np.ndarray, tolerance: float = 1e-4) -> float:
    """The largest score difference; raises GateError past `tolerance`."""
    worst = float(np.max(np.abs(np.asarray(reference) - np.asarray(exported)), initial=0.0))
    if worst > tolerance:
        raise GateError(f"ONNX scores differ from the trained model's by {worst:.2e} "
                        f"(allowed {tolerance:.0e}); the artifact was not written")
    return worst


def int8_gate(labels: list[int], fp32: np.ndarray, int8: np.ndarray, threshold: float) -> dict:
    """The int8 graph must decide like the fp32 one; raises GateError otherwise."""
    agreement = float(np.mean((np.asarray(fp32) >= threshold) == (np.asarray(int8) >= threshold)))
    auc_drop = float(roc_auc_score(labels, fp32) - roc_auc_score(labels, int8))
    report = {"agreement": round(agreement, 5), "auc_drop": round(auc_drop, 6),
              "max_abs": round(float(np.max(np.abs(np.asarray(fp32) - np.asarray(int8)))), 5)}
    if agreement < MIN_AGREEMENT or auc_drop > MAX_AUC_DROP:
        raise GateError(f"int8 fails its gate ({report}; needs agreement >= {MIN_AGREEMENT} "
                        f"and AUC drop <= {MAX_AUC_DROP}); the artifact was not written")
    return report
