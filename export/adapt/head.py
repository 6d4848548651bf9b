"""Continued training of the fast model's linear head on one sample, pulled toward the base.

    minimise  sum_i c_i * logloss(y_i, x_i . (w0 + d) + b)  +  strength / 2 * |d|^2

over d and a free bias b: x are the base's own tf-idf features (its tokenizer, hashing and idf),
the weights c_i sum to 1, and the penalty keeps the new weights w0 + d near the base's w0 (with
w0 = 0 it is a plain refit on the base's features). The optimal d is a combination of the rows,
d = X^T a, so the problem is solved for `a`, one unknown per message, with the rows' Gram matrix
X X^T: a few hundred unknowns, not a million buckets, and one Gram matrix serves every fold.
"""

from __future__ import annotations

import numpy as np
from scipy import optimize, sparse


def balanced(labels: np.ndarray, total: float = 1.0) -> np.ndarray:
    """Per-row weights giving each label half of `total`."""
    counts = np.bincount(labels, minlength=2).astype(np.float64)
    return (total / (2.0 * np.maximum(counts, 1)))[labels]


def fit(x: sparse.csr_matrix, gram: np.ndarray, labels: np.ndarray, weight: np.ndarray,
        prior: np.ndarray, bias: float, strength: float) -> tuple[np.ndarray, float]:
    """(new weights over all buckets, new bias): the prior moved as far as the rows ask."""
    y = np.asarray(labels, dtype=np.float64)
    offset = np.asarray(x @ prior).ravel()

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        a, b = theta[:-1], theta[-1]
        moved = gram @ a
        z = offset + moved + b
        value = float(weight @ (np.logaddexp(0.0, z) - y * z)) + strength / 2 * float(a @ moved)
        residual = weight * (1.0 / (1.0 + np.exp(-z)) - y)
        return value, np.append(gram @ (residual + strength * a), residual.sum())

    start = np.append(np.zeros(len(y)), bias)
    found = optimize.minimize(loss, start, jac=True, method="L-BFGS-B",
                              options={"maxiter": 1000, "gtol": 1e-6})
    return prior + np.asarray(x.T @ found.x[:-1]).ravel(), float(found.x[-1])


def logits(x: sparse.csr_matrix, weights: np.ndarray, bias: float) -> np.ndarray:
    return np.asarray(x @ weights).ravel() + bias
