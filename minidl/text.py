"""Text preprocessing (§3.2 step 1): tokens, a vocabulary, padded index batches.

tokens = tokenize("Not good, but I don't mind.")
# ['not', 'good', ',', 'but', 'i', "don't", 'mind', '.']
vocab = Vocab.build(texts, min_freq=2)
ids = [vocab.encode(t) for t in texts]
x = pad_sequences(ids, padding="pre")   # int64 (T, B), sequence first as nn.LSTM expects;
                                        # "pre": each sentence's last word is the last step
"""

import re
from collections import Counter

import numpy as np

from minidl._checks import is_int
from minidl.tensor import Tensor

__all__ = ["tokenize", "Vocab", "pad_sequences", "lengths", "PAD", "UNK"]

PAD = "<pad>"
UNK = "<unk>"

# A word is a run of letters/digits/underscores, with inner apostrophes kept
# ("don't", "o'clock" are one token); every other non-space character is a
# token of its own, so an apostrophe at a word's edge ('quoted') is split off.
_TOKEN = re.compile(r"\w+(?:'\w+)*|[^\w\s]")


def tokenize(text):
    """Lower-case ``text`` and split it into words and single punctuation marks.

    Words keep inner apostrophes ("don't" -> ``["don't"]``; the typographic
    apostrophe ’ is read as '), every other punctuation character is its own
    token ("good," -> ``["good", ","]``).  Letters are Unicode letters ("café").
    """
    if not isinstance(text, str):
        raise TypeError(f"tokenize: expected a str, got {type(text).__name__}")
    return _TOKEN.findall(text.lower().replace("\u2019", "'"))


def _tokens(item, op):
    if isinstance(item, str):
        return tokenize(item)
    if isinstance(item, (list, tuple)) and all(isinstance(t, str) for t in item):
        return list(item)
    raise TypeError(f"{op}: expected a text (str) or a list of tokens, got {type(item).__name__}")


class Vocab:
    """Token <-> index maps, with ``<pad>`` = 0 and ``<unk>`` = 1.

    ``itos`` is the list of tokens (index -> string), ``stoi`` the dict
    (string -> index).  Build one from a corpus with :meth:`Vocab.build`, or
    pass a full ``itos`` list that starts with ``["<pad>", "<unk>"]``.
    """

    def __init__(self, itos):
        itos = list(itos)
        if itos[:2] != [PAD, UNK]:
            raise ValueError(f"Vocab: itos must start with [{PAD!r}, {UNK!r}], got {itos[:2]!r}")
        stoi = {s: i for i, s in enumerate(itos)}
        if len(stoi) != len(itos):
            dup = [s for s, n in Counter(itos).items() if n > 1]
            raise ValueError(f"Vocab: duplicate tokens {dup[:5]!r}")
        self.itos = itos
        self.stoi = stoi

    @classmethod
    def build(cls, corpus, min_freq=1, max_size=None):
        """Vocabulary of the tokens of ``corpus`` (texts, or lists of tokens).

        Keeps tokens seen at least ``min_freq`` times, most frequent first
        (ties in alphabetical order, so the result is deterministic), and at
        most ``max_size`` entries in total, the two specials included.
        """
        if not isinstance(min_freq, int) or min_freq < 1:
            raise ValueError(f"Vocab.build: min_freq must be an int >= 1, got {min_freq!r}")
        if max_size is not None and (not isinstance(max_size, int) or max_size < 2):
            raise ValueError(
                f"Vocab.build: max_size must be an int >= 2 (it counts {PAD} and {UNK}), "
                f"got {max_size!r}"
            )
        if isinstance(corpus, str):
            raise TypeError("Vocab.build: corpus must be a list of texts, got a single str")
        counts = Counter()
        for item in corpus:
            counts.update(_tokens(item, "Vocab.build"))
        for special in (PAD, UNK):
            counts.pop(special, None)
        words = sorted(
            (w for w, n in counts.items() if n >= min_freq), key=lambda w: (-counts[w], w)
        )
        if max_size is not None:
            words = words[: max_size - 2]
        return cls([PAD, UNK, *words])

    def __len__(self):
        return len(self.itos)

    def __contains__(self, token):
        return token in self.stoi

    def __getitem__(self, token):
        """Index of ``token`` (``<unk>`` = 1 if unknown)."""
        return self.stoi.get(token, 1)

    def encode(self, text_or_tokens):
        """Indices of a text (tokenized with :func:`tokenize`) or of a token list."""
        unk = self.stoi[UNK]
        return [self.stoi.get(t, unk) for t in _tokens(text_or_tokens, "Vocab.encode")]

    def decode(self, ids, skip_pad=False):
        """Tokens of the indices ``ids`` (list, ndarray or Tensor), ``<pad>`` kept unless
        ``skip_pad``."""
        a = np.asarray(ids.data if isinstance(ids, Tensor) else ids)
        if a.ndim != 1 or (a.size and a.dtype.kind not in "iu"):
            raise TypeError(
                f"Vocab.decode: expected a 1-D sequence of ints, got {a.dtype} {a.shape}"
            )
        bad = a[(a < 0) | (a >= len(self.itos))]
        if bad.size:
            raise IndexError(
                f"Vocab.decode: index {int(bad[0])} out of range for a vocabulary of {len(self)}"
            )
        return [self.itos[i] for i in a.tolist() if not (skip_pad and i == 0)]

    def __repr__(self):
        head = ", ".join(self.itos[2:7])
        return f"Vocab({len(self)} tokens: {PAD}, {UNK}, {head}{', ...' if len(self) > 7 else ''})"


def _sequences(seqs, op):
    if isinstance(seqs, str):
        raise TypeError(f"{op}: expected a list of index sequences, got a str")
    if isinstance(seqs, Tensor):
        seqs = seqs.data
    out = []
    for k, s in enumerate(seqs):
        a = np.asarray(s.data if isinstance(s, Tensor) else s)
        if a.ndim != 1:
            raise ValueError(f"{op}: sequence {k} must be 1-D, got shape {a.shape}")
        if a.size and a.dtype.kind not in "iu":
            raise TypeError(f"{op}: sequence {k} must hold integer indices, got dtype {a.dtype}")
        if a.size and a.dtype == np.uint64 and a.max() > np.iinfo(np.int64).max:
            # astype(np.int64) would wrap such an id around to a negative number
            raise OverflowError(
                f"{op}: sequence {k} holds index {int(a.max())}, above int64's maximum "
                f"{np.iinfo(np.int64).max}"
            )
        out.append(a.astype(np.int64))
    if not out:
        raise ValueError(f"{op}: got no sequences")
    return out


def _check_max_len(max_len, op):
    if max_len is not None and (not isinstance(max_len, (int, np.integer)) or max_len < 0):
        raise ValueError(f"{op}: max_len must be an int >= 0 or None, got {max_len!r}")


def lengths(seqs, max_len=None):
    """int64 array (B,) of the sequence lengths, capped at ``max_len`` (as
    :func:`pad_sequences` truncates)."""
    _check_max_len(max_len, "lengths")
    n = np.array([len(s) for s in _sequences(seqs, "lengths")], dtype=np.int64)
    return n if max_len is None else np.minimum(n, max_len)


def pad_sequences(
    seqs, batch_first=False, padding="post", value=0, max_len=None, truncating="post"
):
    """Stack index sequences of different lengths into one int64 array.

    Returns (T, B) — sequence first, the layout of ``nn.LSTM`` — or (B, T) with
    ``batch_first=True``; T = ``max_len`` or the longest length.  ``padding``
    puts ``value`` after ("post") or before ("pre") each sequence;
    ``truncating`` drops tokens of a sequence longer than ``max_len`` from its
    end ("post") or its start ("pre").  With an LSTM whose last hidden state
    feeds a classifier, "pre" padding places the real tokens last.
    """
    op = "pad_sequences"
    for name, v in (("padding", padding), ("truncating", truncating)):
        if v not in ("post", "pre"):
            raise ValueError(f"{op}: {name} must be 'post' or 'pre', got {v!r}")
    _check_max_len(max_len, op)
    if not is_int(value):
        # written into an int64 array, 1.5 would become 1, the <unk> id
        raise TypeError(
            f"{op}: value (the padding index) must be an int, got {value!r} "
            f"({type(value).__name__})"
        )
    lo, hi = np.iinfo(np.int64).min, np.iinfo(np.int64).max
    if not lo <= value <= hi:
        raise OverflowError(f"{op}: value {value} is outside int64's range [{lo}, {hi}]")
    arrays = _sequences(seqs, op)
    t = max(len(a) for a in arrays) if max_len is None else int(max_len)
    out = np.full((len(arrays), t), value, dtype=np.int64)
    for b, a in enumerate(arrays):
        if len(a) > t:
            a = a[:t] if truncating == "post" else a[len(a) - t :]
        if len(a):
            if padding == "post":
                out[b, : len(a)] = a
            else:
                out[b, t - len(a) :] = a
    return out if batch_first else np.ascontiguousarray(out.T)
