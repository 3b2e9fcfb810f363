"""minidl.optim.lr_scheduler: StepLR, ExponentialLR, LambdaLR against their closed forms.

Every expected lr is written out by hand (or from the formula in the test), never
read back from the scheduler.
"""

import os

import numpy as np
import pytest
from optim_replay import leaf, refused_without_change, sgd

import minidl
from minidl.optim import SGD, Adam
from minidl.optim.lr_scheduler import ExponentialLR, LambdaLR, LRScheduler, StepLR


def lrs_over(scheduler, epochs):
    """The lrs read at construction (epoch 0), then after each of epochs - 1 steps."""
    seen = [scheduler.get_last_lr()]
    for _ in range(epochs - 1):
        scheduler.step()
        seen.append(scheduler.get_last_lr())
    return seen


def test_steplr_sequence_by_hand():
    opt = sgd(lr=1.0)
    sched = StepLR(opt, step_size=2, gamma=0.5)
    assert sched.last_epoch == 0
    assert lrs_over(sched, 5) == [[1.0], [1.0], [0.5], [0.5], [0.25]]
    assert sched.last_epoch == 4
    assert opt.param_groups[0]["lr"] == 0.25
    assert opt.param_groups[0]["initial_lr"] == 1.0


def test_steplr_default_gamma_is_a_tenth():
    sched = StepLR(sgd(lr=2.0), step_size=3)
    got = [lr for (lr,) in lrs_over(sched, 7)]
    assert got == pytest.approx([2.0, 2.0, 2.0, 0.2, 0.2, 0.2, 0.02], rel=1e-15)


def test_exponentiallr_sequence_by_hand():
    sched = ExponentialLR(sgd(lr=0.1), gamma=0.9)
    # 0.1 · 0.9^e
    expected = [0.1, 0.09, 0.081, 0.0729, 0.06561]
    got = [lr for (lr,) in lrs_over(sched, 5)]
    assert got == pytest.approx(expected, rel=1e-14)


def test_the_training_loop_uses_the_scheduled_lr():
    # loss = sum(x * w): the gradient is x every step, so θ_{e+1} = θ_e − η_e x
    w = leaf([1.0, -1.0], dtype=np.float64)
    x = minidl.tensor(np.array([2.0, 4.0]))
    opt = SGD([w], lr=0.4)
    sched = StepLR(opt, step_size=2, gamma=0.5)
    etas = [0.4, 0.4, 0.2, 0.2, 0.1]  # η₀ · 0.5^⌊e/2⌋
    theta = np.array([1.0, -1.0])
    for eta in etas:
        opt.zero_grad()
        (w * x).sum().backward()
        opt.step()
        sched.step()
        theta = theta - eta * np.array([2.0, 4.0])
        np.testing.assert_allclose(w.data, theta, rtol=0, atol=1e-14)
    assert sched.get_last_lr() == [pytest.approx(0.4 * 0.5**2)]  # epoch 5


def test_two_param_groups_with_different_base_lrs():
    opt = sgd(groups=[1.0, 0.01])
    sched = ExponentialLR(opt, gamma=0.5)
    assert lrs_over(sched, 4) == [
        [1.0, 0.01],
        [0.5, 0.005],
        [0.25, 0.0025],
        [0.125, 0.00125],
    ]
    assert [g["lr"] for g in opt.param_groups] == [0.125, 0.00125]


def test_lambdalr_with_a_list_one_function_per_group():
    opt = sgd(groups=[1.0, 0.5])
    sched = LambdaLR(opt, [lambda e: 1 / (e + 1), lambda e: 0.5**e])
    assert lrs_over(sched, 4) == [
        [1.0, 0.5],
        [0.5, 0.25],
        [pytest.approx(1 / 3), 0.125],
        [0.25, 0.0625],
    ]


def test_lambdalr_one_function_for_every_group():
    opt = sgd(groups=[2.0, 4.0])
    sched = LambdaLR(opt, lambda e: e + 1)
    assert lrs_over(sched, 3) == [[2.0, 4.0], [4.0, 8.0], [6.0, 12.0]]


def test_lambdalr_warmup_starts_at_epoch_zero():
    # the lambda is applied at construction: a linear warm-up starts below the base lr
    opt = sgd(lr=0.1)
    LambdaLR(opt, lambda e: min(1.0, (e + 1) / 4))
    assert opt.param_groups[0]["lr"] == pytest.approx(0.025)


def test_get_last_lr_is_a_list_copy():
    opt = sgd(groups=[1.0, 2.0])
    sched = StepLR(opt, step_size=1, gamma=0.5)
    last = sched.get_last_lr()
    assert isinstance(last, list) and last == [1.0, 2.0]
    last[0] = 99.0
    assert sched.get_last_lr() == [1.0, 2.0]


def test_lr_stays_a_python_float_and_float32_stays_float32():
    w = leaf([1.0, 2.0])
    opt = SGD([w], lr=np.float32(0.5))
    sched = StepLR(opt, step_size=np.int64(1), gamma=np.float32(0.5))
    for _ in range(3):
        (w * w).sum().backward()
        opt.step()
        sched.step()
        assert type(opt.param_groups[0]["lr"]) is float
        assert all(type(lr) is float for lr in sched.get_last_lr())
        assert w.data.dtype == np.float32
    opt = SGD([leaf([1.0])], lr=1.0)
    LambdaLR(opt, lambda e: np.float64(0.5))
    assert type(opt.param_groups[0]["lr"]) is float


@pytest.mark.parametrize(
    "make, expected, more",
    [
        (lambda o: StepLR(o, step_size=2, gamma=0.5), [0.125, 0.0625, 0.0625], 7),
        (lambda o: ExponentialLR(o, gamma=0.5), [0.00390625, 0.001953125, 0.0009765625], 8),
        (lambda o: LambdaLR(o, lambda e: 1 / (e + 1)), [1 / 9, 1 / 10, 1 / 11], 8),
    ],
    ids=["step", "exponential", "lambda"],
)
def test_state_dict_round_trip_resumes_the_sequence(tmp_path, make, expected, more):
    # resumed at epoch more - 1, the next steps give epochs more, more + 1, more + 2:
    # step: 0.5^⌊7/2⌋, 0.5^⌊8/2⌋, 0.5^⌊9/2⌋; exponential: 0.5^8, 0.5^9, 0.5^10; lambda: 1/(e+1).
    # StepLR and ExponentialLR scale the optimizer's current lr, so (as in PyTorch) the
    # optimizer's state is loaded too
    first_opt = sgd(lr=1.0)
    first = make(first_opt)
    for _ in range(more - 1):
        first.step()
    path = os.path.join(tmp_path, "sched.npz")
    minidl.save({"sched": first.state_dict(), "opt": first_opt.state_dict()}, path)
    saved = minidl.load(path)
    state = saved["sched"]
    assert isinstance(state, dict)

    opt = sgd(lr=1.0)
    resumed = make(opt)
    opt.load_state_dict(saved["opt"])
    resumed.load_state_dict(state)
    assert resumed.last_epoch == more - 1
    got = []
    for _ in range(3):
        resumed.step()
        got.append(resumed.get_last_lr()[0])
        assert opt.param_groups[0]["lr"] == got[-1]
    assert got == pytest.approx(expected, rel=1e-14)


def test_lambdalr_state_dict_does_not_save_functions():
    sched = LambdaLR(sgd(groups=[1.0, 1.0]), [lambda e: 1.0, lambda e: 2.0])
    state = sched.state_dict()
    assert state["lr_lambdas"] == [None, None]
    assert state["last_epoch"] == 0 and state["base_lrs"] == [1.0, 1.0]


def test_checkpoint_of_optimizer_and_scheduler_resumes():
    def run(opt, sched, n):
        for _ in range(n):
            opt.param_groups[0]["params"][0].grad = minidl.tensor(np.array([1.0], np.float32))
            opt.step()
            sched.step()

    opt = Adam([leaf([1.0])], lr=0.1)
    sched = StepLR(opt, step_size=2, gamma=0.1)
    run(opt, sched, 3)
    opt_state, sched_state = opt.state_dict(), sched.state_dict()

    opt2 = Adam([leaf([1.0])], lr=0.1)
    sched2 = StepLR(opt2, step_size=2, gamma=0.1)
    opt2.load_state_dict(opt_state)
    sched2.load_state_dict(sched_state)
    assert opt2.param_groups[0]["lr"] == pytest.approx(0.01)  # epoch 3: 0.1 · 0.1^1
    run(opt2, sched2, 1)
    assert opt2.param_groups[0]["lr"] == pytest.approx(0.001)  # epoch 4: 0.1 · 0.1^2


def test_a_second_scheduler_keeps_the_first_initial_lr_and_the_current_lr():
    opt = sgd(lr=1.0)
    StepLR(opt, step_size=1, gamma=0.5).step()  # lr is now 0.5; initial_lr stays 1.0
    sched = ExponentialLR(opt, gamma=0.9)
    assert sched.base_lrs == [1.0]
    assert sched.get_last_lr() == [0.5]  # PyTorch: epoch 0 leaves the current lr
    sched.step()
    assert sched.get_last_lr() == [0.5 * 0.9]


def test_two_schedulers_compound_as_in_pytorch():
    # each multiplies the current lr: StepLR(2, 0.5) halves at epochs 2 and 4, ExponentialLR(0.9)
    # scales every epoch, so epoch e has 0.9^e · 0.5^⌊e/2⌋ (PyTorch: 0.9, 0.405, 0.3645, 0.164)
    opt = sgd(lr=1.0)
    s1, s2 = StepLR(opt, step_size=2, gamma=0.5), ExponentialLR(opt, gamma=0.9)
    got = []
    for _ in range(4):
        s1.step()
        s2.step()
        got.append(opt.param_groups[0]["lr"])
    assert got == pytest.approx([0.9**e * 0.5 ** (e // 2) for e in range(1, 5)], rel=1e-15)


def test_an_lr_set_by_hand_is_scaled_not_overwritten():
    # a manual change (fine-tuning, warm-up) stays: the next decay scales it, as in PyTorch
    opt = sgd(lr=1.0)
    sched = StepLR(opt, step_size=1, gamma=0.5)
    opt.param_groups[0]["lr"] = 0.1
    sched.step()
    assert opt.param_groups[0]["lr"] == pytest.approx(0.05, rel=1e-15)


def test_the_base_class_needs_get_lr():
    with pytest.raises(NotImplementedError, match="get_lr"):
        LRScheduler(sgd())


@pytest.mark.parametrize(
    "make, error, words",
    [
        (lambda o: StepLR(o, step_size=0), ValueError, ["StepLR", "step_size", "0"]),
        (lambda o: StepLR(o, step_size=-1), ValueError, ["StepLR", "step_size", "-1"]),
        (lambda o: StepLR(o, step_size=2.0), ValueError, ["StepLR", "step_size", "2.0"]),
        (lambda o: StepLR(o, step_size=True), ValueError, ["StepLR", "step_size", "True"]),
        (lambda o: StepLR(o, 2, gamma=0.0), ValueError, ["StepLR", "gamma", "0.0"]),
        (lambda o: StepLR(o, 2, gamma=-0.5), ValueError, ["StepLR", "gamma", "-0.5"]),
        (lambda o: StepLR(o, 2, gamma=float("nan")), ValueError, ["StepLR", "gamma", "nan"]),
        (lambda o: ExponentialLR(o, gamma=float("inf")), ValueError, ["ExponentialLR", "inf"]),
        (lambda o: ExponentialLR(o, gamma="0.9"), ValueError, ["ExponentialLR", "'0.9'"]),
        (lambda o: StepLR([1.0], 2), TypeError, ["StepLR", "Optimizer", "list"]),
        (lambda o: ExponentialLR(None, 0.9), TypeError, ["ExponentialLR", "NoneType"]),
        (lambda o: LambdaLR("sgd", lambda e: 1.0), TypeError, ["LambdaLR", "str"]),
        (lambda o: LambdaLR(o, 0.5), TypeError, ["LambdaLR", "lr_lambda", "0.5"]),
        (lambda o: LambdaLR(o, [lambda e: 1.0]), ValueError, ["LambdaLR", "2", "got 1"]),
        (lambda o: LambdaLR(o, [abs, 3]), TypeError, ["LambdaLR", "3"]),
        (lambda o: LambdaLR(o, lambda e: float("nan")), ValueError, ["LambdaLR", "nan"]),
        (lambda o: LambdaLR(o, lambda e: -1.0), ValueError, ["LambdaLR", "-1.0"]),
    ],
)
def test_bad_arguments_are_refused(make, error, words):
    refused_without_change(make, error, words)


def test_bad_state_dicts_are_refused():
    sched = StepLR(sgd(lr=1.0), step_size=2)
    with pytest.raises(ValueError, match="StepLR.load_state_dict"):
        sched.load_state_dict({"last_epoch": 3})
    other = ExponentialLR(sgd(lr=1.0), gamma=0.5).state_dict()
    with pytest.raises(ValueError, match="StepLR.load_state_dict"):
        sched.load_state_dict(other)
    two = StepLR(sgd(groups=[1.0, 2.0]), step_size=2).state_dict()
    with pytest.raises(ValueError, match="parameter groups"):
        sched.load_state_dict(two)
    assert sched.last_epoch == 0 and sched.get_last_lr() == [1.0]


def _torch_sequences(torch):
    def run(make, groups, n):
        opt = torch.optim.SGD(
            [{"params": [torch.zeros(1, requires_grad=True)], "lr": g} for g in groups], lr=1.0
        )
        s = make(opt)
        out = [s.get_last_lr()]
        for _ in range(n - 1):
            opt.step()
            s.step()
            out.append(s.get_last_lr())
        return out

    S = torch.optim.lr_scheduler
    return [
        run(lambda o: S.StepLR(o, step_size=3, gamma=0.3), [1.0, 0.02], 10),
        run(lambda o: S.ExponentialLR(o, gamma=0.7), [1.0, 0.02], 10),
        run(lambda o: S.LambdaLR(o, [lambda e: 1 / (e + 1), lambda e: 0.9**e]), [1.0, 0.02], 10),
    ]


def test_matches_pytorch_when_available():
    # an extra check where torch is installed; the closed-form tests above are the proof
    expected = _torch_sequences(pytest.importorskip("torch"))
    makers = [
        lambda o: StepLR(o, step_size=3, gamma=0.3),
        lambda o: ExponentialLR(o, gamma=0.7),
        lambda o: LambdaLR(o, [lambda e: 1 / (e + 1), lambda e: 0.9**e]),
    ]
    for make, want in zip(makers, expected):
        got = lrs_over(make(sgd(groups=[1.0, 0.02])), 10)
        np.testing.assert_allclose(got, want, rtol=1e-12)


def test_an_optimizer_checkpoint_loads_before_or_after_its_scheduler_is_built():
    # PyTorch code does both orders; the scheduler's initial_lr travels with the groups
    def make():
        p = minidl.tensor([1.0], requires_grad=True)
        return p, minidl.optim.SGD([p], lr=0.8)

    p, opt = make()
    sched = minidl.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    sched.step()  # lr 0.8 -> 0.4
    saved_opt, saved_sched = opt.state_dict(), sched.state_dict()

    _, opt_first = make()
    opt_first.load_state_dict(saved_opt)  # no scheduler yet: initial_lr comes from the file
    assert opt_first.param_groups[0]["lr"] == 0.4
    assert type(opt_first.param_groups[0]["initial_lr"]) is float
    sched_after = minidl.optim.lr_scheduler.StepLR(opt_first, step_size=1, gamma=0.5)
    sched_after.load_state_dict(saved_sched)
    sched_after.step()  # epoch 2: 0.8 · 0.5² = 0.2
    assert opt_first.param_groups[0]["lr"] == 0.2

    _, plain = make()
    plain_sched = minidl.optim.lr_scheduler.StepLR(plain, step_size=1, gamma=0.5)
    _, no_sched = make()
    plain.load_state_dict(no_sched.state_dict())  # saved without a scheduler: keeps its own
    assert plain.param_groups[0]["initial_lr"] == 0.8
    plain_sched.step()
    assert plain.param_groups[0]["lr"] == 0.4
