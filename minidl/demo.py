"""``python -m minidl demo``: the document's §4 example, end to end.

1. Build the ``synthetic_sentiment`` corpus (the label depends on word order).
2. Train the document's ``TextClassifier`` (Embedding → LSTM → Linear) with
   ``CrossEntropyLoss`` and ``Adam(lr=0.001)``, as §4 does.
3. Report held-out accuracy, precision, recall and F1 (§6.3) beside a
   linear bag-of-words baseline, which cannot see word order.
4. Train the same model from the same initial weights with GD (§3.3 eq. 2,
   full batch), SGD (eq. 3, one random sample per step) and Adam (eq. 4,
   with Kingma & Ba's bias-corrected v̂ in its last line: minidl's default),
   and plot their loss curves against examples seen and wall time.
5. Write ``loss_curves.png``, ``metrics.json`` and ``model.npz`` to ``out``.
"""

import copy
import json
import os
import sys
import time

import numpy as np

import minidl
from minidl import datasets, metrics, nn, optim, text
from minidl.data import DataLoader, TensorDataset
from minidl.models import BagOfWords, TextClassifier

# corpus size and the epochs of the main Adam model, per run size
SIZES = {"default": (3000, 12), "quick": (600, 8)}
EMBEDDING_DIM, HIDDEN_DIM = 32, 32
# the comparison: optimizer, learning rate, batch size (None: the whole training
# set), epochs per run size, and the smoothing window of its plotted curve.
# Adam's rate is the document's; GD needs a large rate to move an LSTM at all.
COMPARISON = {
    "GD": (optim.GD, 3.0, None, {"default": 60, "quick": 10}, None),
    "SGD": (optim.SGD, 0.05, 1, {"default": 2, "quick": 1}, 100),
    "Adam": (optim.Adam, 0.001, 32, {"default": 10, "quick": 3}, 10),
}


class SeqFirst:
    """Batches ((B, T) ids, labels) from a DataLoader, handed on as ((T, B) ids, labels):
    the document's LSTM reads sequence first."""

    def __init__(self, loader):
        self.loader = loader

    def __len__(self):
        return len(self.loader)

    def __iter__(self):
        for ids, labels in self.loader:
            yield ids.T, labels


def prepare(n, seed):
    """Corpus -> vocabulary -> padded (N, T) id arrays, split 80/20."""
    texts, labels = datasets.synthetic_sentiment(n, seed=seed)
    train_texts, test_texts, y_train, y_test = datasets.train_test_split(
        texts, labels, test_size=0.2, seed=seed
    )
    vocab = text.Vocab.build([text.tokenize(t) for t in train_texts])

    def encode(texts):
        seqs = [vocab.encode(text.tokenize(t)) for t in texts]
        # "pre" padding puts the real words last, next to the hidden state we classify
        return text.pad_sequences(seqs, batch_first=True, padding="pre")

    return vocab, encode(train_texts), y_train, encode(test_texts), y_test


def loader(x, y, batch_size, seed):
    ds = TensorDataset(minidl.tensor(x), minidl.tensor(y))
    return SeqFirst(DataLoader(ds, batch_size=batch_size, shuffle=True, seed=seed))


def evaluate(model, x, y):
    """§6.3: accuracy, precision, recall and F1 (positive class 1) on held-out data."""
    model.eval()
    with minidl.no_grad():
        pred = model(minidl.tensor(np.ascontiguousarray(x.T))).argmax(-1).numpy()
    model.train()
    return {
        "accuracy": metrics.accuracy(y, pred),
        "precision": metrics.precision(y, pred),
        "recall": metrics.recall(y, pred),
        "f1": metrics.f1_score(y, pred),
    }


def train_and_evaluate(name, model, lr, epochs, seed, progress, x_train, y_train, x_test, y_test):
    """Adam with mini-batches of 32, then the §6.3 scores on the held-out data."""
    _say(f"Training {name} with Adam(lr={lr}), {epochs} epochs", progress)
    minidl.fit(
        model,
        nn.CrossEntropyLoss(),
        optim.Adam(model.parameters(), lr=lr),
        loader(x_train, y_train, 32, seed),
        epochs=epochs,
        progress=progress,
    )
    return evaluate(model, x_test, y_test)


def compare_optimizers(initial, x, y, size, seed, progress):
    """Train copies of one initial model with GD, SGD and Adam; {label: (History, smooth)}."""
    runs = {}
    for name, (make, rate, batch, epochs, smooth) in COMPARISON.items():
        per_step = "full batch" if batch is None else f"batch {batch}"
        label = f"{name} (lr={rate}, {per_step}, {epochs[size]} epochs)"
        model = copy.deepcopy(initial)
        _say(f"  {label}", progress)
        history = minidl.fit(
            model,
            nn.CrossEntropyLoss(),
            make(model.parameters(), lr=rate),
            loader(x, y, batch or len(y), seed),
            epochs=epochs[size],
            progress=progress,
        )
        runs[label] = (history, smooth)
    return runs


def plot_curves(runs, path):
    """Two panels: loss against examples seen (log scale) and against training seconds."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    from minidl.plot import plot_losses

    fig = Figure(figsize=(12, 4.5), dpi=100)
    axes = fig.subplots(1, 2)
    for ax, x, title in (
        (axes[0], "examples", "Loss against examples seen"),
        (axes[1], "time", "Loss against training time"),
    ):
        for label, (history, smooth) in runs.items():
            plot_losses({label: history}, x=x, smooth=smooth, ax=ax, log_y=True)
        ax.set_title(title)
    axes[0].set_xscale("log")
    fig.suptitle(
        "The document's TextClassifier trained with GD, SGD and Adam from the same initial "
        "weights (SGD and Adam curves smoothed)"
    )
    fig.tight_layout()
    fig.savefig(path)


def _say(message, progress):
    if progress:
        print(message, file=sys.stderr, flush=True)


def main(out="minidl-demo", epochs=None, seed=0, quick=False, progress=True):
    """Run the demo; returns the process exit status (0)."""
    start = time.perf_counter()
    size = "quick" if quick else "default"
    n, adam_epochs = SIZES[size]
    adam_epochs = epochs or adam_epochs
    minidl.manual_seed(seed)  # first: a bad seed fails before anything is written
    os.makedirs(out, exist_ok=True)

    vocab, *data = prepare(n, seed)
    x_train, y_train, x_test, y_test = data
    print(
        f"synthetic_sentiment: {len(y_train)} training and {len(y_test)} test sentences, "
        f"vocabulary of {len(vocab)} words, up to {x_train.shape[1]} tokens"
    )
    model = TextClassifier(len(vocab), EMBEDDING_DIM, HIDDEN_DIM, 2)
    initial = copy.deepcopy(model)

    lstm_scores = train_and_evaluate(
        "the document's TextClassifier", model, 0.001, adam_epochs, seed, progress, *data
    )
    bow = BagOfWords(len(vocab), 2)
    bow_scores = train_and_evaluate(
        "the bag-of-words baseline", bow, 0.01, adam_epochs, seed, progress, *data
    )

    print(f"\n{'held-out (§6.3)':<22}{'accuracy':>10}{'precision':>11}{'recall':>9}{'F1':>8}")
    for name, s in (("LSTM (document §4)", lstm_scores), ("bag of words", bow_scores)):
        print(
            f"{name:<22}{s['accuracy']:>10.3f}{s['precision']:>11.3f}{s['recall']:>9.3f}"
            f"{s['f1']:>8.3f}"
        )

    _say("\nTraining the same initial model with GD, SGD and Adam", progress)
    runs = compare_optimizers(initial, x_train, y_train, size, seed, progress)

    curves = os.path.join(out, "loss_curves.png")
    plot_curves(runs, curves)
    weights = os.path.join(out, "model.npz")
    minidl.save(model.state_dict(), weights)
    report = {
        "corpus": {"name": "synthetic_sentiment", "n": n, "seed": seed, "vocab_size": len(vocab)},
        "model": {"embedding_dim": EMBEDDING_DIM, "hidden_dim": HIDDEN_DIM, "epochs": adam_epochs},
        "lstm": lstm_scores,
        "bag_of_words": bow_scores,
        "optimizers": {
            label: {
                "final_epoch_loss": h.epoch_train_loss[-1],
                "steps": len(h.step_loss),
                "examples_seen": h.examples_seen,
                "train_seconds": h.step_time[-1],
            }
            for label, (h, _) in runs.items()
        },
        "seconds": time.perf_counter() - start,
    }
    path = os.path.join(out, "metrics.json")
    with open(path, "w") as f:
        json.dump(report, f, indent=2)
    print(f"\nWrote {curves}, {path} and {weights} ({report['seconds']:.0f} s).")
    return 0
