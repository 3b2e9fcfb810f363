"""Classification metrics on predicted labels (§6.3: accuracy, precision, recall).

All functions take ``y_true`` and ``y_pred`` as 1-D label sequences of equal
length (ndarray, list or Tensor of ints or strings).  For one class c, with
counts over the samples::

    TP_c = #(true c, predicted c)   FP_c = #(true ≠ c, predicted c)
    FN_c = #(true c, predicted ≠ c)

    precision_c = TP_c / (TP_c + FP_c)     recall_c = TP_c / (TP_c + FN_c)
    F1_c        = 2 TP_c / (2 TP_c + FP_c + FN_c)   (= harmonic mean of P and R)

``average`` combines the classes:

- ``"binary"``: the scores of class ``pos_label`` only (at most two classes;
  ``labels`` is ignored);
- ``"macro"``:  the unweighted mean of the per-class scores;
- ``"micro"``:  the formula applied to the counts summed over classes
  (for single-label data micro precision = micro recall = micro F1 = accuracy);
- ``None``:     the per-class scores as an array, in the order of ``labels``.

Zero division: when a denominator is 0 (a class never predicted has
TP + FP = 0; a class absent from ``y_true`` has TP + FN = 0) that score is
``zero_division`` (default 0.0), silently — no warning, no NaN.  This is
scikit-learn's ``zero_division=0``.  ``labels`` (default: the sorted union of
the labels in ``y_true`` and ``y_pred``) chooses the classes, e.g. to include
a class that occurs in neither.
"""

import numpy as np

from minidl._checks import is_real
from minidl.tensor import Tensor

__all__ = ["accuracy", "precision", "recall", "f1_score", "confusion_matrix"]


def _as_labels(y, op, name):
    a = np.asarray(y.data if isinstance(y, Tensor) else y)
    if a.ndim != 1:
        hint = " (for class scores, pass scores.argmax(-1))" if a.ndim == 2 else ""
        raise ValueError(f"{op}: {name} must be 1-D labels, got shape {a.shape}{hint}")
    if a.dtype.kind == "f" and not np.all(a == np.round(a)):
        raise ValueError(
            f"{op}: {name} holds non-integer values such as {float(a[a != np.round(a)][0])}; "
            "expected class labels, not scores or probabilities"
        )
    return a


def _pair(y_true, y_pred, op):
    t = _as_labels(y_true, op, "y_true")
    p = _as_labels(y_pred, op, "y_pred")
    if t.shape[0] != p.shape[0]:
        raise ValueError(f"{op}: y_true and y_pred differ in length ({t.shape[0]} vs {p.shape[0]})")
    if t.shape[0] == 0:
        raise ValueError(f"{op}: empty input (no samples to score)")
    _check_same_kind(op, "y_true", t, "y_pred", p)
    return t, p


def _is_text(a):
    # an object array of str (a pandas column) counts as text too
    return a.dtype.kind in "US" or (
        a.dtype.kind == "O" and a.size > 0 and all(isinstance(v, str) for v in a.ravel())
    )


def _check_same_kind(op, name_a, a, name_b, b):
    """Raise if one holds strings and the other numbers, or one str and the other bytes:
    "1" never equals 1 (nor b"1"), so every score would silently be 0."""
    if _is_text(a) != _is_text(b):
        text, number = (name_a, name_b) if _is_text(a) else (name_b, name_a)
        raise TypeError(
            f"{op}: {text} holds strings but {number} holds numbers "
            f"({name_a} dtype {a.dtype}, {name_b} dtype {b.dtype}); "
            "convert one of them so the labels can be compared"
        )
    # b"a" never equals "a" either: str against bytes would silently score 0 too
    if _is_text(a) and _is_text(b) and (a.dtype.kind == "S") != (b.dtype.kind == "S"):
        raw, text = (name_a, name_b) if a.dtype.kind == "S" else (name_b, name_a)
        raise TypeError(
            f"{op}: {raw} holds bytes but {text} holds str "
            f"({name_a} dtype {a.dtype}, {name_b} dtype {b.dtype}); "
            "decode the bytes (e.g. np.char.decode(y)) so the labels can be compared"
        )


def accuracy(y_true, y_pred):
    """Fraction of correct predictions: (1/n) Σ [yᵢ = ŷᵢ]."""
    t, p = _pair(y_true, y_pred, "accuracy")
    return float(np.mean(t == p))


def _resolve_labels(t, p, labels, op):
    if labels is None:
        return np.unique(np.concatenate([t, p]))
    labels = np.asarray(labels)
    if labels.ndim != 1 or labels.size == 0:
        raise ValueError(f"{op}: labels must be a non-empty 1-D list, got {labels.tolist()!r}")
    _check_same_kind(op, "labels", labels, "y_true", t)
    if np.unique(labels).size != labels.size:
        raise ValueError(f"{op}: labels contain duplicates: {labels.tolist()!r}")
    return labels


def confusion_matrix(y_true, y_pred, labels=None):
    """C[i, j] = number of samples of true class labels[i] predicted as labels[j].

    Returns an int64 array (K, K): rows are true classes, columns predicted.
    Samples whose true or predicted label is not in ``labels`` are not counted.
    """
    t, p = _pair(y_true, y_pred, "confusion_matrix")
    labels = _resolve_labels(t, p, labels, "confusion_matrix")
    k = labels.size
    index = {lab: i for i, lab in enumerate(labels.tolist())}
    ti = np.array([index.get(v, -1) for v in t.tolist()], dtype=np.int64)
    pi = np.array([index.get(v, -1) for v in p.tolist()], dtype=np.int64)
    keep = (ti >= 0) & (pi >= 0)
    return np.bincount(ti[keep] * k + pi[keep], minlength=k * k).reshape(k, k).astype(np.int64)


def _ratio(num, den, zero_division):
    num = np.asarray(num, dtype=np.float64)
    den = np.asarray(den, dtype=np.float64)
    out = np.full(num.shape, float(zero_division))
    np.divide(num, den, out=out, where=den > 0)
    return out


def _score(kind, y_true, y_pred, average, pos_label, labels, zero_division):
    """Shared body of precision / recall / f1_score."""
    t, p = _pair(y_true, y_pred, kind)
    if not is_real(zero_division):
        raise TypeError(
            f"{kind}: zero_division must be a number (the score of a class whose denominator "
            f"is 0, e.g. 0.0 or 1.0), got {zero_division!r}; minidl never warns"
        )
    if not 0.0 <= zero_division <= 1.0:  # NaN too: it would make every average NaN
        raise ValueError(
            f"{kind}: zero_division must be a score in [0, 1], got {zero_division!r} "
            "(scikit-learn's np.nan, 'leave the class out', is not supported)"
        )
    if average not in ("binary", "macro", "micro", None):
        raise ValueError(
            f"{kind}: average must be 'binary', 'macro', 'micro' or None, got {average!r}"
        )
    if average == "binary":
        present = np.unique(np.concatenate([t, p]))
        if present.size > 2:
            raise ValueError(
                f"{kind}: average='binary' needs at most 2 classes, got {present.tolist()}; "
                "use average='macro' or 'micro' for more classes"
            )
        if present.size == 2 and pos_label not in present.tolist():
            raise ValueError(
                f"{kind}: pos_label={pos_label!r} is not one of the labels {present.tolist()}"
            )
        _check_same_kind(kind, "pos_label", np.asarray([pos_label]), "y_true", t)
        labels = [pos_label]
    labels = _resolve_labels(t, p, labels, kind)
    # counts over ALL samples: a sample whose true class is outside `labels`
    # but predicted c is still a false positive of c
    is_true = t[:, None] == labels[None, :]  # (n, K)
    is_pred = p[:, None] == labels[None, :]
    tp = np.sum(is_true & is_pred, axis=0)
    fp = is_pred.sum(axis=0) - tp
    fn = is_true.sum(axis=0) - tp
    if average == "micro":
        tp, fp, fn = tp.sum(keepdims=True), fp.sum(keepdims=True), fn.sum(keepdims=True)
    if kind == "precision":
        per_class = _ratio(tp, tp + fp, zero_division)
    elif kind == "recall":
        per_class = _ratio(tp, tp + fn, zero_division)
    else:
        per_class = _ratio(2 * tp, 2 * tp + fp + fn, zero_division)
    if average is None:
        return per_class
    return float(per_class.mean())


def precision(y_true, y_pred, average="binary", pos_label=1, labels=None, zero_division=0.0):
    """Precision TP / (TP + FP): of the samples predicted c, the fraction truly c.

    See the module docstring for ``average``, ``labels`` and ``zero_division``.
    """
    return _score("precision", y_true, y_pred, average, pos_label, labels, zero_division)


def recall(y_true, y_pred, average="binary", pos_label=1, labels=None, zero_division=0.0):
    """Recall TP / (TP + FN): of the samples truly c, the fraction predicted c.

    See the module docstring for ``average``, ``labels`` and ``zero_division``.
    """
    return _score("recall", y_true, y_pred, average, pos_label, labels, zero_division)


def f1_score(y_true, y_pred, average="binary", pos_label=1, labels=None, zero_division=0.0):
    """F1 = 2 TP / (2 TP + FP + FN) = 2 P R / (P + R), the harmonic mean of precision and recall.

    Macro F1 averages the per-class F1 (not the F1 of the macro P and R).
    See the module docstring for ``average``, ``labels`` and ``zero_division``.
    """
    return _score("f1_score", y_true, y_pred, average, pos_label, labels, zero_division)
