"""W1: one training step of the document's §4 TextClassifier (float32).

Embedding(5000, 100) → LSTM(100, H) on seq-first token ids (T, B) → h_n →
Linear(H, 2) → cross-entropy (mean) → Adam(lr=1e-3) (PyTorch's Adam, minidl's
``correct_v=True``).  Two sizes: T=50, B=64, H=128 and T=200, B=32, H=256.
"""

import numpy as np

from benchmarks.reference.text_classifier import PARAM_NAMES, TextClassifierNumpy

VOCAB, EMBED, CLASSES = 5000, 100, 2
SIZES = {
    "W1 small": {"steps": 50, "batch": 64, "hidden": 128},
    "W1 large": {"steps": 200, "batch": 32, "hidden": 256},
}


def text_classifier_class(nn):
    """The §4 model, as printed, for any PyTorch-shaped ``nn`` (minidl's or torch's)."""

    class TextClassifier(nn.Module):
        def __init__(self, vocab_size, embedding_dim, hidden_dim, output_dim):
            super().__init__()
            self.embedding = nn.Embedding(vocab_size, embedding_dim)
            self.lstm = nn.LSTM(embedding_dim, hidden_dim)
            self.fc = nn.Linear(hidden_dim, output_dim)

        def forward(self, x):
            embedded = self.embedding(x)
            output, (hidden, cell) = self.lstm(embedded)
            hidden = hidden.squeeze(0)
            return self.fc(hidden)

    return TextClassifier


def make_params(hidden, vocab=VOCAB, embed=EMBED, classes=CLASSES, dtype=np.float32, seed=0):
    """Weights with PyTorch's default init: N(0, 1) embeddings, U(±1/√H) LSTM, U(±1/√H) fc."""
    rng = np.random.default_rng(seed)
    r = 1 / np.sqrt(hidden)
    shapes = {
        "lstm.weight_ih_l0": (4 * hidden, embed),
        "lstm.weight_hh_l0": (4 * hidden, hidden),
        "lstm.bias_ih_l0": (4 * hidden,),
        "lstm.bias_hh_l0": (4 * hidden,),
        "fc.weight": (classes, hidden),
        "fc.bias": (classes,),
    }
    params = {"embedding.weight": rng.standard_normal((vocab, embed)).astype(dtype)}
    params.update({k: rng.uniform(-r, r, s).astype(dtype) for k, s in shapes.items()})
    assert set(params) == set(PARAM_NAMES)
    return params


def make_batch(steps, batch, vocab=VOCAB, classes=CLASSES, seed=1):
    """Token ids (T, B) int64 and labels (B,) int64."""
    rng = np.random.default_rng(seed)
    return rng.integers(0, vocab, (steps, batch)), rng.integers(0, classes, batch)


def minidl_model(params):
    """(model, Adam optimizer, loss) in minidl, holding copies of ``params``."""
    import minidl

    hidden = params["lstm.weight_hh_l0"].shape[1]
    vocab, embed = params["embedding.weight"].shape
    classes = params["fc.weight"].shape[0]
    dtype = params["fc.weight"].dtype
    model = text_classifier_class(minidl.nn)(vocab, embed, hidden, classes)
    for name, p in model.named_parameters():
        p.data = np.array(params[name], dtype=dtype, copy=True)
    optimizer = minidl.optim.Adam(model.parameters(), lr=1e-3)
    return model, optimizer, minidl.nn.CrossEntropyLoss()


def minidl_step(steps, batch, hidden):
    import minidl

    model, optimizer, criterion = minidl_model(make_params(hidden))
    tokens, labels = make_batch(steps, batch)
    tokens, labels = minidl.tensor(tokens), minidl.tensor(labels)

    def step():
        optimizer.zero_grad()
        loss = criterion(model(tokens), labels)
        loss.backward()
        optimizer.step()

    return step


def reference_step(steps, batch, hidden):
    ref = TextClassifierNumpy(make_params(hidden))
    tokens, labels = make_batch(steps, batch)
    return lambda: ref.step(tokens, labels)


def torch_step(steps, batch, hidden):
    import torch

    model = text_classifier_class(torch.nn)(VOCAB, EMBED, hidden, CLASSES)
    model.load_state_dict({k: torch.from_numpy(v) for k, v in make_params(hidden).items()})
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    criterion = torch.nn.CrossEntropyLoss()
    tokens, labels = (torch.from_numpy(a) for a in make_batch(steps, batch))

    def step():
        optimizer.zero_grad()
        loss = criterion(model(tokens), labels)
        loss.backward()
        optimizer.step()

    return step
