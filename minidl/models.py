"""Ready-made models: the document's §4 ``TextClassifier`` and a bag-of-words baseline."""

import numpy as np

from minidl import nn
from minidl._checks import is_int
from minidl.nn.embedding import check_indices
from minidl.tensor import Tensor

__all__ = ["TextClassifier", "BagOfWords", "bag_of_words"]


class TextClassifier(nn.Module):
    """The document's §4 model: Embedding → LSTM → Linear on the last hidden state.

    x: (T, B) int64 token ids (sequence first) -> logits (B, output_dim).
    The class is the document's, line for line; only its surroundings had bugs
    (see tutorials/04_text_classifier_lstm.ipynb).  It classifies the LSTM's
    state after the LAST time step, so pad with ``pad_sequences(...,
    padding="pre")``: with "post" padding that state has read the padding after
    the sentence.  Even pre-padded, the model reads the padding before a short
    sentence (it has no lengths and the ``<pad>`` vector is learnt), so one
    sentence's logits change a little with the length its batch is padded to:
    pad the test set to the training length, as tutorial 04 does.
    """

    def __init__(self, vocab_size, embedding_dim, hidden_dim, output_dim):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_dim)
        self.lstm = nn.LSTM(embedding_dim, hidden_dim)
        self.fc = nn.Linear(hidden_dim, output_dim)

    def forward(self, x):
        embedded = self.embedding(x)
        output, (hidden, cell) = self.lstm(embedded)
        hidden = hidden.squeeze(0)
        out = self.fc(hidden)
        return out


def bag_of_words(ids, vocab_size, pad_id=0):
    """Word counts: (T, B) token ids -> (B, vocab_size) float32, padding not counted.

    Word order is thrown away, which is the point of the baseline.
    """
    ids = check_indices(ids, vocab_size, "bag_of_words")
    # a negative pad_id would zero a word counted from the end of the vocabulary
    if not is_int(pad_id):
        raise TypeError(f"bag_of_words: pad_id must be an int, got {pad_id!r}")
    if not 0 <= pad_id < vocab_size:
        raise ValueError(
            f"bag_of_words: pad_id {pad_id} out of range for a vocabulary of {vocab_size} "
            f"(expected 0 <= pad_id < {vocab_size})"
        )
    if ids.ndim != 2:
        raise ValueError(f"bag_of_words: expected (T, B) token ids, got shape {ids.shape}")
    t, b = ids.shape
    counts = np.zeros((b, vocab_size), np.float32)
    np.add.at(counts, (np.broadcast_to(np.arange(b), (t, b)), ids), 1.0)
    counts[:, pad_id] = 0.0
    return counts


class BagOfWords(nn.Module):
    """Logistic regression on word counts: logits = counts(x) · Wᵀ + b.

    x: (T, B) int64 token ids -> logits (B, output_dim); the same interface as
    :class:`TextClassifier`, so the two train with the same code.
    """

    def __init__(self, vocab_size, output_dim):
        super().__init__()
        self.vocab_size = vocab_size
        self.fc = nn.Linear(vocab_size, output_dim)

    def forward(self, x):
        return self.fc(Tensor._make(bag_of_words(x, self.vocab_size)))
