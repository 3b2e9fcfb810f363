"""fit and History: what is recorded, when, and how training stops on NaN."""

import json
import math

import numpy as np
import pytest

import minidl
import minidl as torch  # the document's import lines, with minidl in place of torch
import minidl.nn as nn
import minidl.optim as optim
from minidl.data import DataLoader, TensorDataset
from minidl.optim import GD, SGD
from minidl.train import History, fit, label_metric


class Affine:
    """y = x·w + b from raw tensor ops; records the mode and whether grad was enabled."""

    def __init__(self, w, b):
        self.w = minidl.tensor(np.asarray(w, np.float64), requires_grad=True)
        self.b = minidl.tensor(np.asarray(b, np.float64), requires_grad=True)
        self.training = True
        self.calls = []  # (training, grad enabled) per forward

    def __call__(self, x):
        self.calls.append((self.training, minidl.is_grad_enabled()))
        return x @ self.w + self.b

    def parameters(self):
        return [self.w, self.b]

    def train(self):
        self.training = True

    def eval(self):
        self.training = False


def mse(out, y):
    return ((out - y) ** 2).mean()


def regression(n=10, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 2))
    y = X @ np.array([1.5, -2.0]) + 0.3 + 0.1 * rng.standard_normal(n)
    return X, y


def test_step_loss_is_the_loss_before_each_update():
    X, y = regression()
    model = Affine([0.0, 0.0], 0.0)
    alpha = 0.1
    loader = DataLoader(TensorDataset(X, y), batch_size=len(y))
    history = fit(model, mse, GD(model.parameters(), lr=alpha), loader, epochs=5, progress=False)
    # replay GD by hand: J(θ) = mean (Xw + b − y)², ∇_w = 2/n Xᵀr, ∇_b = 2/n Σ r
    w, b, want = np.zeros(2), 0.0, []
    for _ in range(5):
        r = X @ w + b - y
        want.append(np.mean(r**2))
        w, b = w - alpha * 2 / len(y) * X.T @ r, b - alpha * 2 / len(y) * r.sum()
    np.testing.assert_allclose(history.step_loss, want, rtol=1e-12)
    np.testing.assert_allclose(model.w.data, w, rtol=1e-12)
    assert history.epoch_train_loss == history.step_loss  # one full batch per epoch


def test_counts_and_epoch_means_are_example_weighted():
    X, y = regression(10)
    model = Affine([0.5, 0.5], 0.0)
    loader = DataLoader(TensorDataset(X, y), batch_size=4)  # batches of 4, 4, 2
    history = fit(model, mse, SGD(model.parameters(), lr=0.01), loader, epochs=3, progress=False)
    assert history.step_examples == [4, 8, 10, 14, 18, 20, 24, 28, 30]
    assert history.examples_seen == 30
    for e in range(3):
        l0, l1, l2 = history.step_loss[3 * e : 3 * e + 3]
        assert history.epoch_train_loss[e] == pytest.approx((4 * l0 + 4 * l1 + 2 * l2) / 10)
    assert history.epoch_val_loss == [] and history.epoch_metrics == {}
    times = history.step_time
    assert len(times) == 9 and all(0 <= a <= b for a, b in zip(times, times[1:]))
    assert times[-1] <= history.wall_time


def test_validation_runs_in_eval_mode_without_grad_and_records_loss_and_metrics():
    X, y = regression(12)
    Xv, yv = regression(6, seed=1)
    model = Affine([0.0, 0.0], 0.0)
    train = DataLoader(TensorDataset(X, y), batch_size=5, shuffle=True, seed=0)
    val = DataLoader(TensorDataset(Xv, yv), batch_size=4)

    def max_error(y_true, outputs):
        return float(np.abs(y_true - outputs).max())

    history = fit(
        model,
        mse,
        GD(model.parameters(), lr=0.05),
        train,
        epochs=2,
        val_data=val,
        metrics=[max_error, ("bias", lambda t, o: float(np.mean(o - t)))],
        progress=False,
    )
    assert set(model.calls) == {(True, True), (False, False)}
    assert model.training  # back in training mode after validation
    # after the last epoch, the val loss / metrics are those of the final parameters
    out = Xv @ model.w.data + model.b.data
    assert history.epoch_val_loss[-1] == pytest.approx(np.mean((out - yv) ** 2), rel=1e-12)
    assert history.epoch_metrics["max_error"][-1] == pytest.approx(np.abs(yv - out).max())
    assert history.epoch_metrics["bias"][-1] == pytest.approx(np.mean(out - yv))
    assert len(history.epoch_val_loss) == len(history.epoch_metrics["bias"]) == 2


def test_label_metric_feeds_argmax_of_the_outputs():
    def accuracy(y_true, y_pred):
        return float(np.mean(y_true == y_pred))

    name, fn = label_metric(accuracy)
    logits = np.array([[2.0, 1.0, 0.0], [0.0, 0.0, 3.0], [1.0, 5.0, 0.0], [9.0, 0.0, 0.0]])
    assert name == "accuracy"
    assert fn(np.array([0, 2, 0, 0]), logits) == 0.75


def test_nan_loss_stops_with_an_error_naming_epoch_and_step():
    X, y = regression(8)
    y[5] = np.nan
    model = Affine([0.0, 0.0], 0.0)
    loader = DataLoader(TensorDataset(X, y), batch_size=2)  # sample 5 is in step 3
    opt = SGD(model.parameters(), lr=0.01)
    w_before = []
    with pytest.raises(FloatingPointError, match=r"nan at epoch 1, step 3") as info:
        fit(
            lambda x: (w_before.append(model.w.data.copy()), model(x))[1],
            mse,
            opt,
            loader,
            progress=False,
        )
    assert "learning rate" in str(info.value)
    np.testing.assert_array_equal(model.w.data, w_before[-1])  # the bad step did not update


def test_diverging_training_reports_inf():
    X = np.full((4, 1), 1e200)
    model = Affine([1.0], 0.0)
    loader = DataLoader(TensorDataset(X, np.zeros(4)), batch_size=4)
    with np.errstate(over="ignore"), pytest.raises(FloatingPointError, match=r"inf at epoch 1"):
        fit(model, mse, GD(model.parameters(), lr=0.1), loader, progress=False)


def test_progress_false_is_silent_and_true_writes_to_stderr(capsys):
    X, y = regression()
    loader = DataLoader(TensorDataset(X, y), batch_size=3)
    val = DataLoader(TensorDataset(X, y), batch_size=5)
    model = Affine([0.0, 0.0], 0.0)
    fit(model, mse, GD(model.parameters(), lr=0.1), loader, 2, val_data=val, progress=False)
    out, err = capsys.readouterr()
    assert out == "" and err == ""
    fit(model, mse, GD(model.parameters(), lr=0.1), loader, 2, val_data=val, progress=True)
    out, err = capsys.readouterr()
    assert out == ""
    assert "epoch 1/2" in err and "epoch 2/2" in err and "val_loss" in err


def test_history_to_dict_is_json_and_repr_is_short():
    X, y = regression()
    model = Affine([0.0, 0.0], 0.0)
    loader = DataLoader(TensorDataset(X, y), batch_size=4)
    history = fit(model, mse, GD(model.parameters(), lr=0.1), loader, 2, progress=False)
    d = json.loads(json.dumps(history.to_dict()))
    assert d["step_loss"] == history.step_loss and d["examples_seen"] == 20
    assert set(d) == {
        "step_loss",
        "step_examples",
        "step_time",
        "epoch_train_loss",
        "epoch_val_loss",
        "epoch_metrics",
        "examples_seen",
        "wall_time",
    }
    assert all(type(v) is float for v in d["step_loss"])
    text = repr(history)
    assert text.startswith("History(2 epochs, 6 steps") and "\n" not in text
    assert isinstance(history, History) and minidl.History is History and minidl.fit is fit


def test_bad_arguments_are_refused():
    X, y = regression()
    model = Affine([0.0, 0.0], 0.0)
    loader = DataLoader(TensorDataset(X, y), batch_size=4)
    opt = GD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="metrics are computed on val_data"):
        fit(model, mse, opt, loader, metrics=[lambda t, o: 0.0], progress=False)
    with pytest.raises(ValueError, match="epochs"):
        fit(model, mse, opt, loader, epochs=-1, progress=False)
    with pytest.raises(TypeError, match="metric is a callable"):
        fit(model, mse, opt, loader, val_data=loader, metrics=["acc"], progress=False)
    with pytest.raises(ValueError, match="no batches"):
        fit(model, mse, opt, [], progress=False)


def test_zero_epochs_returns_an_empty_history():
    model = Affine([0.0], 0.0)
    history = fit(model, mse, GD(model.parameters(), lr=0.1), [], epochs=0, progress=False)
    assert history.step_loss == [] and history.examples_seen == 0
    assert math.isfinite(history.wall_time)


def test_progress_bar_redraws_in_place_on_a_terminal():
    import io

    from minidl.train import _Progress

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    stream = Terminal()
    bar = _Progress(1, stream=stream)
    bar.start_epoch(1, 4)
    for step in range(1, 5):
        bar.last_draw = 0.0  # defeat the 10 Hz throttle
        bar.update(step, 1.0 / step)
    bar.end_epoch({"loss": 0.5}, 0.1)
    text = stream.getvalue()
    assert text.count("\r") == 5 and text.endswith("\n") and text.count("\n") == 1
    assert "4/4" in text and "epoch 1/1 loss 0.5" in text
    # each redraw covers all the visible text of the previous one
    frames = text.rstrip("\n").split("\r")[1:]
    assert all(len(b) >= len(a.rstrip()) for a, b in zip(frames, frames[1:]))


# ----- the document's §4 model, trained with fit --------------------------------------------


class TextClassifier(nn.Module):
    def __init__(self, vocab_size, embedding_dim, hidden_dim, output_dim):
        super(TextClassifier, self).__init__()  # noqa: UP008  (verbatim from the document)
        self.embedding = nn.Embedding(vocab_size, embedding_dim)
        self.lstm = nn.LSTM(embedding_dim, hidden_dim)
        self.fc = nn.Linear(hidden_dim, output_dim)

    def forward(self, x):
        embedded = self.embedding(x)
        output, (hidden, cell) = self.lstm(embedded)
        hidden = hidden.squeeze(0)
        out = self.fc(hidden)
        return out


A, B = 1, 2  # the two marker tokens; 3..V-1 are distractors


def order_task(n, T, V, rng):
    """Each sequence holds exactly one A and one B among random distractors;
    label 1 iff A comes before B.  The bag of tokens is the same for both
    labels, so only the order reveals the class (chance = 50%)."""
    X = rng.integers(3, V, size=(n, T))
    for row in X:
        i, j = rng.choice(T, 2, replace=False)
        row[i], row[j] = A, B
    y = ((X == A).argmax(1) < (X == B).argmax(1)).astype(np.int64)
    return X, y


def time_major(samples):
    """nn.LSTM (batch_first=False) wants tokens as (T, B): stack the samples, then transpose."""
    tokens = np.stack([x.data for x, _ in samples]).T
    return torch.tensor(tokens), torch.tensor(np.stack([y.data for _, y in samples]))


def test_document_text_classifier_learns_an_order_task_with_fit_and_adam():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    T, V = 6, 8
    X_train, y_train = order_task(1000, T, V, rng)
    X_test, y_test = order_task(500, T, V, rng)
    assert ((X_train == A).sum(1) == 1).all() and ((X_train == B).sum(1) == 1).all()
    assert 0.4 < y_test.mean() < 0.6  # balanced: always guessing one class scores ~50%
    train = DataLoader(TensorDataset(X_train, y_train), 16, shuffle=True, collate_fn=time_major)
    test = DataLoader(TensorDataset(X_test, y_test), 500, collate_fn=time_major)

    model = TextClassifier(V, 16, 32, 2)
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.Adam(model.parameters(), lr=0.001)
    history = fit(
        model,
        criterion,
        optimizer,
        train,
        epochs=3,
        val_data=test,
        metrics=[label_metric(minidl.metrics.accuracy)],
        progress=False,
    )
    # chance is 0.5; require 0.9 (a 0.4 margin: 500 coin flips reach 0.9 with p < 1e-70).
    # Seeds 0-8 all reach 1.0 after 3 epochs (~1 s).
    assert history.epoch_metrics["accuracy"][-1] >= 0.9
    assert history.epoch_val_loss[-1] < 0.5 * history.epoch_val_loss[0]
    assert history.examples_seen == 3000 and len(history.step_loss) == 3 * 63


@pytest.mark.parametrize(
    "loss_fn, labels",
    [
        (nn.CrossEntropyLoss(ignore_index=-100), [0, 1, -100, -100, -100, -100, -100, 1]),
        (nn.CrossEntropyLoss(weight=minidl.tensor([1.0, 10.0])), [0, 0, 0, 1, 0, 0, 0, 0]),
        (nn.CrossEntropyLoss(), [0, 1, 1, 0, 1, 0, 0]),  # a last batch of 3: plain mean
    ],
)
def test_epoch_loss_is_the_loss_of_the_whole_data(loss_fn, labels):
    # with lr = 0 every step sees the same weights, so the epoch loss must equal the loss
    # computed on all the data at once: batch means weighted by what each one divides by
    minidl.manual_seed(0)
    x = np.random.default_rng(0).normal(size=(len(labels), 3)).astype(np.float32)
    y = np.array(labels)
    model = nn.Linear(3, 2)
    loader = DataLoader(TensorDataset(x, y), batch_size=4)
    h = fit(
        model, loss_fn, SGD(model.parameters(), lr=0.0), loader, val_data=loader, progress=False
    )
    with minidl.no_grad():
        whole = loss_fn(model(minidl.tensor(x)), minidl.tensor(y)).item()
    assert h.epoch_train_loss[0] == pytest.approx(whole, rel=1e-6)
    assert h.epoch_val_loss[0] == pytest.approx(whole, rel=1e-6)
    assert h.examples_seen == len(labels)  # every example counts as seen, ignored or not
