"""Small text-classification data: a built-in synthetic corpus and loaders for users' files.

Nothing is downloaded.  ``synthetic_sentiment`` makes a corpus on which word
ORDER decides the label, so a sequence model (the document's §4 LSTM) beats a
bag-of-words model; ``load_polarity`` reads the sentence-polarity format of
Pang & Lee's movie reviews (used by Kim 2014); ``load_csv_text`` reads a CSV;
``train_test_split`` shuffles and splits any number of aligned arrays.
"""

import codecs
import csv
import math

import numpy as np

from minidl.random import generator
from minidl.tensor import Tensor

__all__ = ["synthetic_sentiment", "load_polarity", "load_csv_text", "train_test_split"]

POSITIVE = ("good", "great", "fun", "brilliant", "moving", "charming", "clever", "funny")
NEGATIVE = ("bad", "boring", "dull", "awful", "silly", "tedious", "bland", "weak")
_SUBJECTS = ("the movie", "the film", "the plot", "the story", "the acting", "the ending")
_SUBJECTS += ("this script", "the cast")
_VERBS = ("was", "is", "felt", "seemed")
_ADVERBS = ("very", "really", "quite", "so")

# (template, the slot whose polarity gives the label, whether "not" flips it).
# A and B always have opposite polarities; "plain" and "negated" use A only.
_TEMPLATES = (
    ("{s} {v} {A}", "A", False),  # plain: "the film was good"
    ("{s} {v} not {A}", "A", True),  # negated: "the film was not good"
    ("{s} {v} {A} but {B}", "B", False),  # contrast: the clause after "but" decides
    ("although {s} {v} {A}, it {v2} {B}", "B", False),  # concession: the main clause decides
    ("{s} {v} {A} and not {B}", "A", False),  # "good and not boring": the first decides
)


def _rng(seed, op):
    if seed is None or isinstance(seed, np.random.Generator):
        return generator() if seed is None else seed
    # NumPy's own errors ("expected non-negative integer") would not name the function
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"{op}: seed must be None or an int >= 0, got {seed!r}")
    return np.random.default_rng(int(seed))


def _adjective(rng, positive):
    word = str(rng.choice(POSITIVE if positive else NEGATIVE))
    # an optional intensifier: one more word that carries no label information
    return f"{rng.choice(_ADVERBS)} {word}" if rng.random() < 0.3 else word


def synthetic_sentiment(n, seed=0):
    """``n`` short movie-review sentences and labels (1 positive, 0 negative).

    Returns ``(texts: list[str], labels: int64 ndarray (n,))``.  Sentences
    come from five templates, equally likely (A, B: adjectives, ± polarity)::

        the film was A                  label = pol(A)
        the film was not A              label = not pol(A)
        the film was A but B            label = pol(B),  pol(B) = not pol(A)
        although the film was A, it was B         label = pol(B)
        the film was A and not B        label = pol(A),  pol(B) = not pol(A)

    Every contrast sentence (the last three templates, 60 %) holds one positive
    and one negative adjective, and only their ORDER tells the label: no model
    that sees word counts alone beats chance on them.  The plain and negated
    sentences are told apart by counts, but only through "polarity XOR not",
    which a linear model cannot represent: the linear bag-of-words baseline
    (``models.BagOfWords``) stays near chance (about 50 %) overall, while an
    LSTM that reads the order can be almost always right.  The vocabulary
    is fixed (40 tokens, ``,`` included); classes are balanced (n // 2
    negatives, the rest positive) in shuffled order.  ``seed`` (int) makes the
    result repeat exactly; ``seed=None`` draws from ``minidl.manual_seed``'s
    generator.
    """
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"synthetic_sentiment: n must be an int >= 1, got {n!r}")
    rng = _rng(seed, "synthetic_sentiment")
    labels = np.array([0] * (n // 2) + [1] * (n - n // 2), dtype=np.int64)
    rng.shuffle(labels)
    texts = []
    for label in labels.tolist():
        template, decides, flipped = _TEMPLATES[rng.integers(len(_TEMPLATES))]
        pol = bool(label) != flipped  # polarity the deciding slot must have
        pol_a = pol if decides == "A" else not pol
        texts.append(
            template.format(
                s=rng.choice(_SUBJECTS),
                v=rng.choice(_VERBS),
                v2=rng.choice(_VERBS),
                A=_adjective(rng, pol_a),
                B=_adjective(rng, not pol_a),
            )
        )
    return texts, labels


def _read_lines(path, encoding):
    with open(path, encoding=encoding) as f:
        return [line.strip() for line in f if line.strip()]


def load_polarity(pos_path, neg_path, encoding="latin-1"):
    """Read the sentence-polarity format: one sentence per line, one file per class.

    Returns ``(texts, labels)``: the positive sentences (label 1) then the
    negative ones (label 0), blank lines skipped.  Pang & Lee's files
    (rt-polarity.pos / .neg) are latin-1 encoded, hence the default.
    """
    pos = _read_lines(pos_path, encoding)
    neg = _read_lines(neg_path, encoding)
    labels = np.array([1] * len(pos) + [0] * len(neg), dtype=np.int64)
    return pos + neg, labels


def _column(header, column, path):
    if isinstance(column, (int, np.integer)):
        return int(column)
    if header is None:
        raise ValueError(f"load_csv_text: {path}: column {column!r} by name needs header=True")
    if column not in header:
        raise ValueError(f"load_csv_text: {path}: no column {column!r}; the header has {header}")
    return header.index(column)


def load_csv_text(path, text_column, label_column, header=True, delimiter=",", encoding="utf-8"):
    """Read texts and labels from a CSV file.

    Columns are given by name (from the header row) or by 0-based position.
    Returns ``(texts, labels, classes)``: if every label is an integer,
    ``labels`` are those integers and ``classes`` their sorted distinct
    values; otherwise ``classes`` are the sorted distinct label strings and
    ``labels[i]`` indexes them (``classes[labels[i]]`` is the original label).
    Blank rows are skipped; a UTF-8 byte-order mark (Excel's "CSV UTF-8") is dropped.
    """
    if codecs.lookup(encoding).name == "utf-8":
        encoding = "utf-8-sig"  # else a BOM sticks to the first column's name
    with open(path, newline="", encoding=encoding) as f:
        reader = csv.reader(f, delimiter=delimiter)
        # (line number where the row ends, row): errors name the line an editor shows
        rows = [(reader.line_num, r) for r in reader if any(c.strip() for c in r)]
    if header and not rows:
        raise ValueError(
            f"load_csv_text: {path} has no rows (empty or blank lines only); "
            "expected a header row then data rows"
        )
    head = rows.pop(0)[1] if header else None
    ti = _column(head, text_column, path)
    li = _column(head, label_column, path)
    texts, raw = [], []
    for line, row in rows:
        if max(ti, li) >= len(row):
            raise ValueError(
                f"load_csv_text: {path}: line {line} has {len(row)} fields, "
                f"expected at least {max(ti, li) + 1}"
            )
        texts.append(row[ti])
        raw.append(row[li].strip())
    try:
        ints = [int(v) for v in raw]
    except ValueError:
        classes = sorted(set(raw))
        index = {c: i for i, c in enumerate(classes)}
        return texts, np.array([index[v] for v in raw], dtype=np.int64), classes
    return texts, np.array(ints, dtype=np.int64), sorted(set(ints))


def _take(a, idx):
    if isinstance(a, Tensor):
        return Tensor._make(a.data[idx])
    if isinstance(a, np.ndarray):
        return a[idx]
    return [a[i] for i in idx.tolist()]


def train_test_split(*arrays, test_size=0.2, seed=0, shuffle=True):
    """Split aligned arrays (lists, ndarrays or Tensors) with ONE shuffle of the rows.

    Returns ``train_0, test_0, train_1, test_1, ...`` of the same types.
    ``test_size``: a fraction in (0, 1) (the test set gets ceil(fraction · n)
    rows) or a number of rows.  ``seed`` as in :func:`synthetic_sentiment`.
    ``shuffle=False`` keeps the order: the first rows train, the last rows test.
    """
    if not arrays:
        raise ValueError("train_test_split: expected at least one array")
    ns = [len(a) for a in arrays]
    if len(set(ns)) != 1:
        raise ValueError(f"train_test_split: arrays differ in length: {ns}")
    n = ns[0]
    if isinstance(test_size, float | np.floating) and 0 < test_size < 1:
        n_test = math.ceil(test_size * n)
    elif isinstance(test_size, (int, np.integer)) and not isinstance(test_size, bool):
        n_test = int(test_size)
    else:
        raise ValueError(
            f"train_test_split: test_size must be a fraction in (0, 1) or a number of rows, "
            f"got {test_size!r}"
        )
    if not 0 < n_test < n:
        raise ValueError(
            f"train_test_split: {n} rows with test_size={test_size!r} leave {n - n_test} "
            f"for training and {n_test} for testing; both need at least one"
        )
    if shuffle:
        order = _rng(seed, "train_test_split").permutation(n)
        train_idx, test_idx = order[n_test:], order[:n_test]
    else:  # the last rows are the test set, as in scikit-learn: on time-ordered data the
        # model is tested on what comes after the data it learnt from
        train_idx, test_idx = np.arange(n - n_test), np.arange(n - n_test, n)
    out = []
    for a in arrays:
        out += [_take(a, train_idx), _take(a, test_idx)]
    return out
