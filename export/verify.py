"""Gates an artifact must pass before it is written: ONNX parity with the training model."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import roc_auc_score

MAX_ACCURACY_DROP = 0.005  # int8 may flip decisions near the threshold, not lose accuracy
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
    """The int8 graph must be as good as the fp32 one (ranking and accuracy on the test split);
    raises GateError otherwise. How many decisions it flips is reported beside."""
    y, fp32, int8 = np.asarray(labels), np.asarray(fp32), np.asarray(int8)
    agreement = float(np.mean((fp32 >= threshold) == (int8 >= threshold)))
    auc_drop = float(roc_auc_score(y, fp32) - roc_auc_score(y, int8))
    accuracy_drop = float(np.mean((fp32 >= threshold) == y) - np.mean((int8 >= threshold) == y))
    report = {"agreement": round(agreement, 5), "auc_drop": round(auc_drop, 6),
              "accuracy_drop": round(accuracy_drop, 5),
              "max_abs": round(float(np.max(np.abs(fp32 - int8))), 5)}
    if accuracy_drop > MAX_ACCURACY_DROP or auc_drop > MAX_AUC_DROP:
        raise GateError(f"int8 fails its gate ({report}; needs accuracy drop <= {MAX_ACCURACY_DROP} "
                        f"and AUC drop <= {MAX_AUC_DROP}); the artifact was not written")
    return report
