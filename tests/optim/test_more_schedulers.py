"""MultiStepLR, CosineAnnealingLR and ReduceLROnPlateau against closed forms and rules by hand.

Every expected lr is written out by hand, or computed from the closed form in the
test, never read back from the scheduler.
"""

import math

import numpy as np
import pytest
from optim_replay import leaf, refused_without_change, sgd

import minidl
from minidl.optim import SGD, Adam
from minidl.optim.lr_scheduler import (
    CosineAnnealingLR,
    LRScheduler,
    MultiStepLR,
    ReduceLROnPlateau,
    StepLR,
)


def lrs_over(scheduler, epochs):
    """The lr of group 0 at construction (epoch 0), then after each of epochs - 1 steps."""
    seen = [scheduler.get_last_lr()[0]]
    for _ in range(epochs - 1):
        scheduler.step()
        seen.append(scheduler.get_last_lr()[0])
    return seen


def plateau_lrs(scheduler, metrics):
    """The lr of group 0 after each step(metric)."""
    seen = []
    for m in metrics:
        scheduler.step(m)
        seen.append(scheduler.optimizer.param_groups[0]["lr"])
    return seen


# ----- MultiStepLR ----------------------------------------------------------


def test_multisteplr_sequence_by_hand():
    opt = sgd(lr=1.0)
    sched = MultiStepLR(opt, milestones=[2, 5], gamma=0.1)
    assert isinstance(sched, LRScheduler) and sched.last_epoch == 0
    got = lrs_over(sched, 7)
    assert got == pytest.approx([1.0, 1.0, 0.1, 0.1, 0.1, 0.01, 0.01], rel=1e-15)
    assert opt.param_groups[0]["lr"] == got[-1] and opt.param_groups[0]["initial_lr"] == 1.0


def test_multisteplr_unsorted_repeated_and_zero_milestones_as_pytorch():
    # [4, 0, 2, 2]: epoch 0 scales at construction, epoch 2 twice (γ²), epoch 4 once
    sched = MultiStepLR(sgd(lr=8.0), milestones=[4, 0, 2, 2], gamma=0.5)
    assert lrs_over(sched, 6) == [4.0, 4.0, 1.0, 1.0, 0.5, 0.5]
    assert sched.milestones == [0, 2, 2, 4]


def test_multisteplr_default_gamma_two_groups_and_chaining():
    opt = sgd(groups=[1.0, 0.5])
    sched = MultiStepLR(opt, milestones=[1])
    sched.step()
    assert sched.get_last_lr() == pytest.approx([0.1, 0.05], rel=1e-15)
    opt.param_groups[0]["lr"] = 0.3  # set by hand: kept, not overwritten
    sched.step()
    assert [g["lr"] for g in opt.param_groups] == [0.3, pytest.approx(0.05)]


# ----- CosineAnnealingLR ----------------------------------------------------


def cosine(base, eta_min, T, e):
    return eta_min + (base - eta_min) * (1 + math.cos(math.pi * e / T)) / 2


def test_cosine_values_by_hand():
    # T_max = 4, η_min = 0: (1 + cos(π e / 4)) / 2
    sched = CosineAnnealingLR(sgd(lr=1.0), T_max=4)
    r = math.sqrt(2) / 2
    expected = [1.0, (1 + r) / 2, 0.5, (1 - r) / 2, 0.0, (1 - r) / 2, 0.5, (1 + r) / 2, 1.0]
    got = lrs_over(sched, 9)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)
    assert got[4] == 0.0  # exactly η_min at T_max


@pytest.mark.parametrize("T, eta_min, base", [(5, 0.1, 1.0), (10, 0.001, 0.05), (3, 0.0, 2.0)])
def test_cosine_recursive_form_follows_the_closed_form_over_three_periods(T, eta_min, base):
    sched = CosineAnnealingLR(sgd(lr=base), T_max=T, eta_min=eta_min)
    expected = [cosine(base, eta_min, T, e) for e in range(6 * T + 1)]
    np.testing.assert_allclose(lrs_over(sched, 6 * T + 1), expected, rtol=1e-12, atol=1e-15)


def test_cosine_with_t_max_one_alternates():
    sched = CosineAnnealingLR(sgd(lr=1.0), T_max=1, eta_min=0.25)
    assert lrs_over(sched, 5) == pytest.approx([1.0, 0.25, 1.0, 0.25, 1.0], rel=1e-15)


def test_cosine_is_chainable_an_lr_set_by_hand_is_scaled():
    # PyTorch's recursive form: η_e = η_min + (η_{e-1} − η_min) · c(e) / c(e − 1),
    # c(e) = 1 + cos(π e / T); with η_{1} set to 0.5 by hand, η_2 = 0.5 · c(2) / c(1)
    opt = sgd(lr=1.0)
    sched = CosineAnnealingLR(opt, T_max=4)
    sched.step()
    opt.param_groups[0]["lr"] = 0.5
    sched.step()
    c = [1 + math.cos(math.pi * e / 4) for e in range(3)]
    assert opt.param_groups[0]["lr"] == pytest.approx(0.5 * c[2] / c[1], rel=1e-14)


# ----- ReduceLROnPlateau ----------------------------------------------------


def test_plateau_scripted_losses_with_patience_and_cooldown():
    # mode min, rel threshold 0.1 (better means < 0.9 · best), patience 2, cooldown 1:
    # e1 1.0 best | e2-e3 0.95 bad 1, 2 | e4 bad 3 > 2: lr 0.5, cooldown 1 |
    # e5 0.5 best, cooldown ends | e6, e7 bad 1, 2 | e8 bad 3: lr 0.25, cooldown 1 |
    # e9 bad, ignored (cooldown) | e10, e11 bad 1, 2 | e12 bad 3: lr 0.125
    opt = sgd(lr=1.0)
    sched = ReduceLROnPlateau(opt, factor=0.5, patience=2, threshold=0.1, cooldown=1)
    assert sched.get_last_lr() == [1.0] and sched.last_epoch == 0
    losses = [1.0, 0.95, 0.95, 0.95, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]
    expected = [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25, 0.125]
    assert plateau_lrs(sched, losses) == expected
    assert sched.best == 0.5 and sched.last_epoch == 12
    assert sched.get_last_lr() == [0.125]


def test_plateau_default_patience_is_ten_bad_epochs():
    # the 11th epoch without improvement (> patience = 10) multiplies by factor 0.1
    sched = ReduceLROnPlateau(sgd(lr=1.0))
    got = plateau_lrs(sched, [1.0] + [1.0] * 11)
    assert got[:11] == [1.0] * 11 and got[11] == pytest.approx(0.1, rel=1e-15)


def test_plateau_abs_and_rel_thresholds_differ():
    # best 10: rel 0.1 needs < 9.0, abs 0.1 needs < 9.9; 9.5 improves only under abs
    rel = ReduceLROnPlateau(sgd(lr=1.0), patience=0, threshold=0.1, threshold_mode="rel")
    ab = ReduceLROnPlateau(sgd(lr=1.0), patience=0, threshold=0.1, threshold_mode="abs")
    assert plateau_lrs(rel, [10.0, 9.5]) == [1.0, pytest.approx(0.1)]
    assert plateau_lrs(ab, [10.0, 9.5]) == [1.0, 1.0]
    assert ab.best == 9.5 and rel.best == 10.0


def test_plateau_mode_max_for_an_accuracy():
    # patience 1, threshold 0: 0.5 best, 0.6 best, 0.6 bad 1, 0.6 bad 2 > 1: lr 0.1
    sched = ReduceLROnPlateau(sgd(lr=1.0), mode="max", patience=1, threshold=0.0)
    assert plateau_lrs(sched, [0.5, 0.6, 0.6, 0.6]) == [1.0, 1.0, 1.0, pytest.approx(0.1)]
    assert sched.best == 0.6
    # mode max, rel: better means > best · 1.01
    sched = ReduceLROnPlateau(sgd(lr=1.0), mode="max", patience=0, threshold=0.01)
    assert plateau_lrs(sched, [0.5, 0.504, 0.6]) == [1.0, pytest.approx(0.1), pytest.approx(0.1)]


def test_plateau_min_lr_floor_eps_and_one_min_lr_per_group():
    # factor 0.1 from 1.0 with min_lr 0.05: 0.1, then max(0.01, 0.05) = 0.05, then unchanged
    sched = ReduceLROnPlateau(sgd(lr=1.0), patience=0, min_lr=0.05)
    assert plateau_lrs(sched, [1.0, 1.0, 1.0, 1.0]) == [1.0, pytest.approx(0.1), 0.05, 0.05]
    # a change of eps or less is not made: 1.5e-8 → 7.5e-9 differs by 7.5e-9 <= 1e-8
    sched = ReduceLROnPlateau(sgd(lr=1.5e-8), factor=0.5, patience=0)
    assert plateau_lrs(sched, [1.0, 1.0]) == [1.5e-8, 1.5e-8]
    opt = sgd(groups=[1.0, 1.0])
    sched = ReduceLROnPlateau(opt, patience=0, factor=0.5, min_lr=[0.0, 0.75])
    for m in [1.0, 1.0, 1.0]:
        sched.step(m)
    assert [g["lr"] for g in opt.param_groups] == [0.25, 0.75]
    assert sched.get_last_lr() == [0.25, 0.75]


def test_plateau_takes_tensors_and_numpy_numbers_and_nan_is_a_bad_epoch():
    sched = ReduceLROnPlateau(sgd(lr=1.0), patience=1)
    sched.step(minidl.tensor(2.0))
    sched.step(np.float32(1.0))
    assert sched.best == 1.0 and type(sched.best) is float
    sched.step(float("nan"))
    sched.step(float("nan"))  # second bad epoch > patience 1
    assert sched.get_last_lr() == [pytest.approx(0.1)]
    with pytest.raises(TypeError, match=r"ReduceLROnPlateau.step.*val_loss"):
        sched.step()
    with pytest.raises(TypeError, match="str"):
        sched.step("0.5")
    with pytest.raises(ValueError, match="shape"):
        sched.step(minidl.tensor([1.0, 2.0]))


def test_plateau_in_a_training_loop_the_optimizer_uses_the_reduced_lr():
    # loss = sum(w * x): gradient x, so θ ← θ − η x with η the lr of that epoch
    w = leaf([0.0], dtype=np.float64)
    opt = SGD([w], lr=1.0)
    sched = ReduceLROnPlateau(opt, patience=0)
    theta = 0.0
    for val_loss, eta in zip([3.0, 3.0, 3.0], [1.0, 1.0, 0.1]):
        opt.zero_grad()
        (w * minidl.tensor([2.0])).sum().backward()
        opt.step()
        theta -= eta * 2.0
        assert w.data[0] == pytest.approx(theta, rel=1e-15)
        sched.step(val_loss)


# ----- checkpoints ----------------------------------------------------------


@pytest.mark.parametrize(
    "make, expected",
    [
        # resumed at epoch 4: epochs 5, 6, 7 of milestones [2, 6] → 0.1, 0.01, 0.01
        (lambda o: MultiStepLR(o, [2, 6], gamma=0.1), [0.1, 0.01, 0.01]),
        (lambda o: CosineAnnealingLR(o, 6, eta_min=0.1), [cosine(1, 0.1, 6, e) for e in (5, 6, 7)]),
    ],
    ids=["multistep", "cosine"],
)
def test_state_dict_round_trip_resumes_the_sequence(tmp_path, make, expected):
    first_opt = sgd(lr=1.0)
    first = make(first_opt)
    for _ in range(4):
        first.step()
    path = tmp_path / "sched.npz"
    minidl.save({"sched": first.state_dict(), "opt": first_opt.state_dict()}, path)
    saved = minidl.load(path)
    opt = sgd(lr=1.0)
    resumed = make(opt)
    opt.load_state_dict(saved["opt"])
    resumed.load_state_dict(saved["sched"])
    assert resumed.last_epoch == 4
    got = []
    for _ in range(3):
        resumed.step()
        got.append(opt.param_groups[0]["lr"])
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)


def test_plateau_state_dict_round_trip_mid_plateau(tmp_path):
    # saved before any improvement (best = inf), then again with 2 bad epochs counted
    def make(opt):
        return ReduceLROnPlateau(opt, factor=0.5, patience=2, cooldown=1, min_lr=0.01)

    opt = sgd(lr=1.0)
    sched = make(opt)
    minidl.save(sched.state_dict(), tmp_path / "start.npz")
    assert minidl.load(tmp_path / "start.npz")["best"] == math.inf
    for m in [1.0, 2.0, 2.0]:
        sched.step(m)
    minidl.save({"sched": sched.state_dict(), "opt": opt.state_dict()}, tmp_path / "mid.npz")
    saved = minidl.load(tmp_path / "mid.npz")

    opt2 = sgd(lr=1.0)
    resumed = make(opt2)
    opt2.load_state_dict(saved["opt"])
    resumed.load_state_dict(saved["sched"])
    assert (resumed.best, resumed.num_bad_epochs, resumed.last_epoch) == (1.0, 2, 3)
    # e4 bad 3 > 2: 0.5, cooldown | e5 ignored | e6, e7 bad 1, 2 | e8: 0.25
    assert plateau_lrs(resumed, [2.0] * 5) == [0.5, 0.5, 0.5, 0.5, 0.25]
    fresh = make(sgd(lr=1.0))
    fresh.load_state_dict(minidl.load(tmp_path / "start.npz"))
    assert fresh.best == math.inf


def test_bad_scheduler_state_dicts_are_refused_and_change_nothing():
    sched = MultiStepLR(sgd(lr=1.0), milestones=[2])
    state = sched.state_dict()
    with pytest.raises(ValueError, match="milestones"):
        sched.load_state_dict({**state, "milestones": [1.5]})
    with pytest.raises(ValueError, match="MultiStepLR.load_state_dict"):
        sched.load_state_dict(StepLR(sgd(lr=1.0), step_size=2).state_dict())
    assert sched.milestones == [2]
    cos = CosineAnnealingLR(sgd(lr=1.0), T_max=3)
    with pytest.raises(ValueError, match="T_max"):
        cos.load_state_dict({**cos.state_dict(), "T_max": 0})
    plateau = ReduceLROnPlateau(sgd(lr=1.0))
    with pytest.raises(ValueError, match="mode"):
        plateau.load_state_dict({**plateau.state_dict(), "mode": "minimum"})
    with pytest.raises(ValueError, match="ReduceLROnPlateau.load_state_dict"):
        plateau.load_state_dict({"best": 1.0})
    with pytest.raises(ValueError, match="parameter groups"):
        plateau.load_state_dict(ReduceLROnPlateau(sgd(groups=[1.0, 2.0])).state_dict())
    assert plateau.mode == "min" and plateau.best == math.inf


@pytest.mark.parametrize(
    "make, error, words",
    [
        (lambda o: MultiStepLR(o, milestones=3), ValueError, ["MultiStepLR", "milestones", "3"]),
        (lambda o: MultiStepLR(o, "12"), ValueError, ["MultiStepLR", "milestones", "'12'"]),
        (lambda o: MultiStepLR(o, [1, 2.5]), ValueError, ["MultiStepLR", "2.5"]),
        (lambda o: MultiStepLR(o, [-1]), ValueError, ["MultiStepLR", "-1"]),
        (lambda o: MultiStepLR(o, [True]), ValueError, ["MultiStepLR", "True"]),
        (lambda o: MultiStepLR(o, [2], gamma=0), ValueError, ["MultiStepLR", "gamma", "0"]),
        (lambda o: CosineAnnealingLR(o, 0), ValueError, ["CosineAnnealingLR", "T_max", "0"]),
        (lambda o: CosineAnnealingLR(o, 10.0), ValueError, ["CosineAnnealingLR", "10.0"]),
        (lambda o: CosineAnnealingLR(o, 10, eta_min=-0.1), ValueError, ["eta_min", "-0.1"]),
        (lambda o: CosineAnnealingLR([1.0], 10), TypeError, ["CosineAnnealingLR", "list"]),
        (lambda o: ReduceLROnPlateau(o, mode="mn"), ValueError, ["mode", "'mn'"]),
        (lambda o: ReduceLROnPlateau(o, threshold_mode="relative"), ValueError, ["'relative'"]),
        (lambda o: ReduceLROnPlateau(o, factor=1.0), ValueError, ["factor", "1.0"]),
        (lambda o: ReduceLROnPlateau(o, factor=-0.5), ValueError, ["factor", "-0.5"]),
        (lambda o: ReduceLROnPlateau(o, patience=-1), ValueError, ["patience", "-1"]),
        (lambda o: ReduceLROnPlateau(o, patience=2.5), ValueError, ["patience", "2.5"]),
        (lambda o: ReduceLROnPlateau(o, cooldown=True), ValueError, ["cooldown", "True"]),
        (lambda o: ReduceLROnPlateau(o, threshold=-1e-4), ValueError, ["threshold", "-0.0001"]),
        (lambda o: ReduceLROnPlateau(o, min_lr=[0.0]), ValueError, ["2 min_lr", "got 1"]),
        (lambda o: ReduceLROnPlateau(o, min_lr=float("nan")), ValueError, ["min_lr", "nan"]),
        (lambda o: ReduceLROnPlateau(o, eps=-1.0), ValueError, ["eps", "-1.0"]),
        (lambda o: ReduceLROnPlateau(None), TypeError, ["ReduceLROnPlateau", "NoneType"]),
    ],
)
def test_bad_arguments_are_refused(make, error, words):
    refused_without_change(make, error, words)


def test_lrs_are_python_floats_and_float32_training_stays_float32():
    w = leaf([1.0, 2.0])
    opt = Adam([w], lr=np.float32(0.5))
    scheds = [MultiStepLR(opt, [1], gamma=np.float32(0.5)), CosineAnnealingLR(opt, np.int64(3))]
    plateau = ReduceLROnPlateau(opt, patience=0, factor=np.float64(0.5))
    for _ in range(3):
        opt.zero_grad()
        (w * w).sum().backward()
        opt.step()
        for s in scheds:
            s.step()
        plateau.step(np.float32(1.0))
        assert type(opt.param_groups[0]["lr"]) is float
        assert w.data.dtype == np.float32


def test_matches_pytorch_when_available():
    # an extra check where torch is installed; the hand-worked tests above are the proof
    torch = pytest.importorskip("torch")
    S = torch.optim.lr_scheduler
    rng = np.random.default_rng(0)
    losses = list(5 + 0.1 * rng.standard_normal(60).cumsum())
    cases = [
        (
            lambda o: S.MultiStepLR(o, [3, 7, 7, 0], 0.3),
            lambda o: MultiStepLR(o, [3, 7, 7, 0], 0.3),
        ),
        (lambda o: S.CosineAnnealingLR(o, 7, 0.001), lambda o: CosineAnnealingLR(o, 7, 0.001)),
        (
            lambda o: S.ReduceLROnPlateau(o, factor=0.5, patience=2, threshold=0.01, cooldown=1),
            lambda o: ReduceLROnPlateau(o, factor=0.5, patience=2, threshold=0.01, cooldown=1),
        ),
        (
            lambda o: S.ReduceLROnPlateau(o, "max", 0.3, 1, 0.05, "abs", 2, [0.0, 0.01]),
            lambda o: ReduceLROnPlateau(o, "max", 0.3, 1, 0.05, "abs", 2, [0.0, 0.01]),
        ),
    ]
    for theirs, mine in cases:
        topt = torch.optim.SGD(
            [{"params": [torch.zeros(1, requires_grad=True)], "lr": g} for g in (1.0, 0.02)]
        )
        opt = sgd(groups=[1.0, 0.02])
        ts, ms = theirs(topt), mine(opt)
        plateau = isinstance(ms, ReduceLROnPlateau)
        want, got = [ts.get_last_lr()], [ms.get_last_lr()]
        for loss in losses:
            topt.step()
            ts.step(loss) if plateau else ts.step()
            ms.step(loss) if plateau else ms.step()
            want.append(ts.get_last_lr())
            got.append(ms.get_last_lr())
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)
