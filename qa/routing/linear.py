"""A linear classifier over hashed words and word pairs, stored as numbers only.

Trained with scikit-learn; what is stored is each class's weights (a sparse matrix: buckets never seen
stay zero), its bias and the class ids, in numpy's npz format read with allow_pickle=False, so a row of
the database can never run code when loaded. Scoring a question is one sparse product.
"""

import io
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import SGDClassifier

# Picked on the bench's held-out split (docs/intake.md): log-loss SGD (one-vs-rest) reaches the
# accuracy of a full logistic regression in a fraction of the time at a million questions.
EPOCHS = 3
ALPHA = 2e-6


@dataclass
class Head:
    """One prediction target (agency or topic): weights (features × classes), bias, class ids."""

    weights: sp.csr_matrix
    bias: np.ndarray
    classes: np.ndarray

    def probabilities(self, rows: sp.spmatrix) -> np.ndarray:
        """One-vs-rest logistic scores, normalised to sum to 1 per row."""
        scores = np.asarray((rows @ self.weights).todense()) + self.bias
        scores = 1.0 / (1.0 + np.exp(-np.clip(scores, -30, 30)))
        return scores / np.maximum(scores.sum(axis=1, keepdims=True), 1e-12)


def fit_head(chunks: list[sp.csr_matrix], labels: list[np.ndarray]) -> Head:
    """Fit one target over row chunks, EPOCHS passes of partial_fit: the rows are never stacked into one
    matrix nor converted to float64 at once (that doubled and tripled the memory at a million questions).
    A single class (everything answered by one agency) needs no classifier."""
    classes = np.unique(np.concatenate(labels))
    width = chunks[0].shape[1]
    if len(classes) == 1:
        return Head(sp.csr_matrix((width, 1), dtype=np.float32), np.array([10.0]), classes)
    model = SGDClassifier(loss="log_loss", alpha=ALPHA, n_jobs=2, random_state=0)
    for _epoch in range(EPOCHS):
        for rows, chunk_labels in zip(chunks, labels, strict=True):
            model.partial_fit(rows, chunk_labels, classes=classes)
    coef = model.coef_.astype(np.float32)
    bias = model.intercept_.astype(np.float64)
    if len(model.classes_) == 2:  # binary: scikit-learn keeps one row (for the second class)
        coef = np.vstack([-coef, coef])
        bias = np.concatenate([-bias, bias])
    coef[np.abs(coef) < 1e-4] = 0.0  # untouched and negligible buckets: keeps the stored matrix small
    return Head(sp.csr_matrix(coef.T), bias, model.classes_.astype(np.int64))


def dump(agency: Head, topic: Head, scheme: int) -> bytes:
    """The two heads as compressed npz bytes."""
    buffer = io.BytesIO()
    arrays: dict[str, Any] = {"scheme": np.array([scheme])}
    for name, head in (("agency", agency), ("topic", topic)):
        w = head.weights.tocsr()
        arrays |= {
            f"{name}_data": w.data,
            f"{name}_indices": w.indices,
            f"{name}_indptr": w.indptr,
            f"{name}_shape": np.array(w.shape),
            f"{name}_bias": head.bias,
            f"{name}_classes": head.classes,
        }
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()


def load(payload: bytes) -> tuple[Head, Head, int]:
    """The heads back from dump's bytes (no pickle)."""
    arrays = np.load(io.BytesIO(bytes(payload)), allow_pickle=False)
    heads = []
    for name in ("agency", "topic"):
        shape = tuple(int(n) for n in arrays[f"{name}_shape"])
        weights = sp.csr_matrix(
            (arrays[f"{name}_data"], arrays[f"{name}_indices"], arrays[f"{name}_indptr"]), shape=shape
        )
        heads.append(Head(weights, arrays[f"{name}_bias"], arrays[f"{name}_classes"]))
    return heads[0], heads[1], int(arrays["scheme"][0])
