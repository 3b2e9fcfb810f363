"""``fit``: the training loop of §4, with a ``History`` of what happened.

For each epoch and each (inputs, targets) batch::

    optimizer.zero_grad()
    loss = loss_fn(model(inputs), targets)     # recorded BEFORE the update
    loss.backward()
    optimizer.step()

then, if ``val_data`` is given, the model is evaluated under ``model.eval()``
and ``no_grad``.
"""

import math
import sys
import time

import numpy as np

from minidl.autograd import no_grad
from minidl.nn.loss import CrossEntropyLoss, NLLLoss
from minidl.tensor import Tensor

__all__ = ["fit", "History", "label_metric"]


class History:
    """What ``fit`` records (the loss curves of the optimizer tutorials).

    step_loss         loss of each optimizer step, computed BEFORE that step's update
    step_examples     cumulative number of examples seen after each step
    step_time         cumulative wall seconds at the end of each step (training only)
    epoch_train_loss  per epoch: the step losses combined into the loss of the epoch's data
    epoch_val_loss    per epoch: the loss on all of ``val_data``
    epoch_metrics     ``{name: [value per epoch]}`` on ``val_data``
    examples_seen     total training examples seen
    wall_time         total wall seconds of ``fit`` (validation included)
    """

    def __init__(self):
        self.step_loss = []
        self.step_examples = []
        self.step_time = []
        self.epoch_train_loss = []
        self.epoch_val_loss = []
        self.epoch_metrics = {}
        self.examples_seen = 0
        self.wall_time = 0.0

    def to_dict(self):
        """Plain Python lists/numbers, ready for ``json.dump``."""
        return {
            "step_loss": [float(x) for x in self.step_loss],
            "step_examples": [int(x) for x in self.step_examples],
            "step_time": [float(x) for x in self.step_time],
            "epoch_train_loss": [float(x) for x in self.epoch_train_loss],
            "epoch_val_loss": [float(x) for x in self.epoch_val_loss],
            "epoch_metrics": {k: [float(x) for x in v] for k, v in self.epoch_metrics.items()},
            "examples_seen": int(self.examples_seen),
            "wall_time": float(self.wall_time),
        }

    def __repr__(self):
        parts = [f"{len(self.epoch_train_loss)} epochs", f"{len(self.step_loss)} steps"]
        if self.epoch_train_loss:
            parts.append(f"train_loss={self.epoch_train_loss[-1]:.4g}")
        if self.epoch_val_loss:
            parts.append(f"val_loss={self.epoch_val_loss[-1]:.4g}")
        parts += [f"{k}={v[-1]:.4g}" for k, v in self.epoch_metrics.items() if v]
        parts.append(f"{self.wall_time:.2f} s")
        return f"History({', '.join(parts)})"


def label_metric(metric, name=None):
    """Adapt a metric on labels, ``metric(y_true, y_pred_labels)`` (like
    ``minidl.metrics.accuracy``), to ``fit``'s convention ``(targets, outputs)``
    by predicting ``outputs.argmax(-1)`` (outputs are class scores/logits,
    (N, C) with C >= 2).  Returns a ``(name, callable)`` pair.

    A one-logit binary model's (N, 1) or (N,) outputs are refused: there is no
    argmax over a single score.  Threshold them in your own metric instead, e.g.
    ``("accuracy", lambda y, out: accuracy(y, (out.reshape(-1) > 0).astype(int)))``."""
    label = name or getattr(metric, "__name__", "metric")

    def on_outputs(y_true, outputs):
        out = np.asarray(outputs)
        # argmax over one column is always 0: every sample would be predicted class 0
        if out.ndim < 2 or out.shape[-1] < 2:
            raise ValueError(
                f"label_metric({label}): outputs of shape {out.shape} hold one score per "
                "sample, so argmax(-1) cannot pick a class; expected class scores (N, C) "
                "with C >= 2. For one-logit binary outputs, threshold them in the metric, "
                "e.g. (outputs.reshape(-1) > 0).astype(int)"
            )
        return metric(y_true, out.argmax(-1))

    return (label, on_outputs)


def fit(model, loss_fn, optimizer, train_data, epochs=1, val_data=None, metrics=(), progress=True):
    """Train ``model`` for ``epochs`` passes over ``train_data``; returns a :class:`History`.

    ``train_data`` / ``val_data``: iterables of ``(inputs, targets)`` batches (a
    :class:`~minidl.data.DataLoader`), re-iterated each epoch.  The batch size is
    ``len(targets)``.  ``loss_fn(outputs, targets)`` must return the batch MEAN
    (as ``nn.CrossEntropyLoss`` / ``nn.MSELoss`` do); each epoch loss weights the
    batch means by what they divide by, so it is the loss of the whole epoch's
    data: the batch size, or for a ``CrossEntropyLoss`` / ``NLLLoss`` with class
    indices the weights of the targets it counts (Σₙ w_tₙ, ``ignore_index`` left
    out), and for class probabilities the number of rows.

    ``metrics`` are evaluated on ``val_data`` after each epoch; each is a
    callable or a ``(name, callable)`` pair called as
    ``metric(targets, outputs) -> float`` with both NumPy arrays over the whole
    validation set (outputs = raw model outputs, e.g. logits).  Wrap a metric
    on labels with :func:`label_metric`, e.g. ``label_metric(minidl.metrics.accuracy)``.

    A NaN or infinite loss raises ``FloatingPointError`` before that step's
    update.  ``progress=True`` draws a progress bar on stderr.
    """
    if not isinstance(epochs, int) or epochs < 0:
        raise ValueError(f"fit: epochs must be an int >= 0, got {epochs!r}")
    named = [_named(m) for m in metrics]
    if named and val_data is None:
        raise ValueError("fit: metrics are computed on val_data; pass val_data=...")
    history = History()
    history.epoch_metrics = {name: [] for name, _ in named}
    bar = _Progress(epochs) if progress else None
    start = time.perf_counter()
    train_seconds = 0.0
    step = 0
    for epoch in range(1, epochs + 1):
        _set_mode(model, training=True)
        total_loss, total_weight, total_n = 0.0, 0.0, 0
        try:
            batches_per_epoch = len(train_data)
        except TypeError:
            batches_per_epoch = None
        if bar:
            bar.start_epoch(epoch, batches_per_epoch)
        tick = time.perf_counter()
        for batch_step, (inputs, targets) in enumerate(train_data, 1):
            step += 1
            optimizer.zero_grad()
            loss = loss_fn(model(inputs), targets)
            value = float(loss.item())
            if not math.isfinite(value):
                raise FloatingPointError(
                    f"fit: the loss is {value} at epoch {epoch}, step {batch_step} "
                    f"(optimizer step {step} overall); training stopped before this update. "
                    "Try a smaller learning rate or check the inputs for NaN/inf."
                )
            loss.backward()
            optimizer.step()
            n = len(targets)
            weight = _mean_weight(loss_fn, targets)
            total_loss += value * weight
            total_weight += weight
            total_n += n
            history.examples_seen += n
            now = time.perf_counter()
            train_seconds += now - tick
            history.step_loss.append(value)
            history.step_examples.append(history.examples_seen)
            history.step_time.append(train_seconds)
            if bar:
                bar.update(batch_step, value)
            tick = time.perf_counter()
        if total_n == 0:
            raise ValueError(f"fit: train_data yielded no batches in epoch {epoch}")
        history.epoch_train_loss.append(total_loss / total_weight)
        summary = {"loss": history.epoch_train_loss[-1]}
        if val_data is not None:
            val_loss, scores = _evaluate(model, loss_fn, val_data, named)
            history.epoch_val_loss.append(val_loss)
            summary["val_loss"] = val_loss
            for name, value in scores.items():
                history.epoch_metrics[name].append(value)
                summary[name] = value
        history.wall_time = time.perf_counter() - start
        if bar:
            bar.end_epoch(summary, history.wall_time)
    history.wall_time = time.perf_counter() - start
    return history


def _named(metric):
    if isinstance(metric, tuple) and len(metric) == 2 and callable(metric[1]):
        return str(metric[0]), metric[1]
    if callable(metric):
        return getattr(metric, "__name__", type(metric).__name__), metric
    raise TypeError(f"fit: a metric is a callable or a (name, callable) pair, got {metric!r}")


def _set_mode(model, training):
    # plain callables (a function of tensors) are accepted as models too
    method = getattr(model, "train" if training else "eval", None)
    if callable(method):
        method()


def _mean_weight(loss_fn, targets):
    """What ``loss_fn``'s batch mean divides by, so that batch means add up to the mean
    over all the data: the batch size, or for a ``CrossEntropyLoss`` / ``NLLLoss`` the
    targets it counts (not ``ignore_index``), each weighted by its class weight
    (Σₙ w_tₙ); with class probabilities (N, C, ...) the rows N·d₁⋯, whatever the weights."""
    if not isinstance(loss_fn, (CrossEntropyLoss, NLLLoss)) or loss_fn.reduction != "mean":
        return len(targets)
    t = np.asarray(targets.data if isinstance(targets, Tensor) else targets)
    if t.dtype.kind == "f":  # probabilities: the mean divides by the rows (as PyTorch)
        return t.size // t.shape[1] if t.ndim >= 2 else 1
    t = t[t != loss_fn.ignore_index]
    w = loss_fn.weight
    if w is None:
        return t.size
    return float(np.asarray(w.data if isinstance(w, Tensor) else w)[t].sum())


def _evaluate(model, loss_fn, data, named):
    """Mean loss on all of ``data`` and each metric on the concatenated outputs."""
    _set_mode(model, training=False)
    total_loss, total_weight, total_n = 0.0, 0.0, 0
    all_targets, all_outputs = [], []
    with no_grad():
        for inputs, targets in data:
            outputs = model(inputs)
            weight = _mean_weight(loss_fn, targets)
            total_loss += float(loss_fn(outputs, targets).item()) * weight
            total_weight += weight
            total_n += len(targets)
            if named:
                all_targets.append(np.asarray(targets))
                all_outputs.append(np.asarray(outputs))
    _set_mode(model, training=True)
    if total_n == 0:
        raise ValueError("fit: val_data yielded no batches")
    scores = {}
    if named:
        y, out = np.concatenate(all_targets), np.concatenate(all_outputs)
        scores = {name: float(fn(y, out)) for name, fn in named}
    return total_loss / total_weight, scores


class _Progress:
    """A one-line progress bar on stderr, redrawn in place (``\\r``) in terminals
    and notebooks; elsewhere (logs, pipes) only the end-of-epoch line is written."""

    width = 24

    def __init__(self, epochs, stream=None):
        self.stream = stream or sys.stderr
        self.epochs = epochs
        isatty = getattr(self.stream, "isatty", lambda: False)()
        self.in_place = isatty or "ipykernel" in sys.modules
        self.last_draw = 0.0
        self.drawn = 0  # length of the line on screen, to blank it fully when redrawing

    def start_epoch(self, epoch, total):
        self.epoch, self.total, self.t0 = epoch, total, time.perf_counter()

    def update(self, done, loss):
        now = time.perf_counter()
        if not self.in_place or (now - self.last_draw < 0.1 and done != self.total):
            return
        self.last_draw = now
        if self.total:
            filled = self.width * done // self.total
            bar = f"[{'#' * filled}{'.' * (self.width - filled)}] {done}/{self.total}"
        else:
            bar = f"{done} steps"
        rate = done / max(now - self.t0, 1e-9)
        self._redraw(f"{self._head()} {bar} loss {loss:.4g} {rate:.1f} it/s")

    def end_epoch(self, summary, elapsed):
        values = " ".join(f"{k} {v:.4g}" for k, v in summary.items())
        line = f"{self._head()} {values} ({elapsed:.1f} s)"
        if self.in_place:
            self._redraw(line)
            self._write("\n")
        else:
            self._write(line + "\n")
        self.drawn = 0

    def _head(self):
        return f"epoch {self.epoch}/{self.epochs}"

    def _redraw(self, line):
        self._write("\r" + line.ljust(self.drawn))
        self.drawn = len(line)

    def _write(self, text):
        self.stream.write(text)
        self.stream.flush()
