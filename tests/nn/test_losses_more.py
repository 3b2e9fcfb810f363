"""KLDivLoss, MarginRankingLoss, CosineEmbeddingLoss, GaussianNLLLoss, PoissonNLLLoss:
closed forms replayed in NumPy, and torch 2.13's values and gradients (skipped without torch)."""

import inspect
import math
import warnings

import numpy as np
import pytest

import minidl
import minidl.nn.functional as F
from minidl import nn

RNG = np.random.default_rng(0)
LOG_Q = np.log(RNG.dirichlet(np.ones(4), 3))
P = RNG.dirichlet(np.ones(4), 3)
P[0, 1] = 0.0  # p log p is 0 there
X1, X2 = RNG.standard_normal((5, 3)), RNG.standard_normal((5, 3))
Y = np.array([1.0, -1.0, 1.0, -1.0, -1.0])
MU, TARGET = RNG.standard_normal((4, 3)), RNG.standard_normal((4, 3))
COUNTS = RNG.poisson(3.0, (4, 3)).astype(float)
COUNTS[0, :3] = [0.0, 1.0, 2.0]


def _kl_elementwise(log_q, p):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(p > 0, p * (np.log(p) - log_q), 0.0)


@pytest.mark.parametrize(
    "reduction, reduce",
    [
        ("none", lambda e: e),
        ("sum", np.sum),
        ("batchmean", lambda e: e.sum() / e.shape[0]),
        ("mean", np.mean),
    ],
)
def test_kl_div_is_p_log_p_over_q(reduction, reduce):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = F.kl_div(minidl.tensor(LOG_Q), minidl.tensor(P), reduction=reduction)
    np.testing.assert_allclose(got.data, reduce(_kl_elementwise(LOG_Q, P)), rtol=1e-12)
    log_p = np.log(P[1:])
    got = F.kl_div(minidl.tensor(LOG_Q[1:]), minidl.tensor(log_p), reduction="sum", log_target=True)
    np.testing.assert_allclose(got.data, _kl_elementwise(LOG_Q[1:], P[1:]).sum(), rtol=1e-12)


def test_kl_div_mean_warns_as_torch_and_batchmean_does_not():
    with pytest.warns(UserWarning, match="'batchmean' divides by the batch size only"):
        nn.KLDivLoss()(minidl.tensor(LOG_Q), minidl.tensor(P))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nn.KLDivLoss(reduction="batchmean")(minidl.tensor(LOG_Q), minidl.tensor(P))
    with pytest.raises(ValueError, match="KLDivLoss: reduction must be"):
        nn.KLDivLoss(reduction="batch")
    with pytest.raises(ValueError, match=r"kl_div: input of shape \(3, 4\) and target of shape"):
        F.kl_div(minidl.tensor(LOG_Q), minidl.tensor(P[0]), reduction="sum")


def test_margin_ranking_loss_is_the_hinge():
    m = F.margin_ranking_loss(
        minidl.tensor(X1[:, 0]), minidl.tensor(X2[:, 0]), minidl.tensor(Y), 0.5, reduction="none"
    )
    np.testing.assert_allclose(m.data, np.maximum(0, -Y * (X1[:, 0] - X2[:, 0]) + 0.5))
    loss = nn.MarginRankingLoss(margin=0.5)
    got = loss(minidl.tensor(X1[:, 0]), minidl.tensor(X2[:, 0]), minidl.tensor(Y))
    assert got.item() == pytest.approx(m.data.mean(), rel=1e-12)
    with pytest.raises(ValueError, match="same number of dims"):
        F.margin_ranking_loss(minidl.tensor(X1), minidl.tensor(X2[:, 0]), minidl.tensor(Y))


def test_cosine_embedding_loss_pulls_pairs_together_or_apart():
    cos = (X1 * X2).sum(1) / np.sqrt(((X1**2).sum(1) + 1e-12) * ((X2**2).sum(1) + 1e-12))
    expected = np.where(Y == 1, 1 - cos, np.maximum(0, cos - 0.1))
    got = F.cosine_embedding_loss(
        minidl.tensor(X1), minidl.tensor(X2), minidl.tensor(Y), 0.1, reduction="none"
    )
    np.testing.assert_allclose(got.data, expected, rtol=1e-12)
    one = F.cosine_embedding_loss(minidl.tensor(X1[0]), minidl.tensor(X2[0]), minidl.tensor(1.0))
    assert one.item() == pytest.approx(1 - cos[0], rel=1e-12)
    with pytest.raises(ValueError, match=r"cosine_embedding_loss: target must hold 1 or -1"):
        F.cosine_embedding_loss(minidl.tensor(X1), minidl.tensor(X2), minidl.tensor((Y > 0) * 1.0))
    with pytest.raises(ValueError, match=r"expected input1 and input2 of one shape"):
        F.cosine_embedding_loss(minidl.tensor(X1), minidl.tensor(X2), minidl.tensor(Y[:4]))


@pytest.mark.parametrize("var_shape", [(4, 3), (4,), (4, 1), (1, 3)])
@pytest.mark.parametrize("full", [False, True])
def test_gaussian_nll_is_half_log_var_plus_squared_error_over_var(var_shape, full):
    var = RNG.uniform(0.1, 2.0, var_shape)
    v = var[:, None] if var_shape == (4,) else var
    expected = 0.5 * (np.log(v) + (MU - TARGET) ** 2 / v) + (
        0.5 * math.log(2 * math.pi) if full else 0
    )
    got = F.gaussian_nll_loss(
        minidl.tensor(MU), minidl.tensor(TARGET), minidl.tensor(var), full, reduction="none"
    )
    np.testing.assert_allclose(got.data, expected, rtol=1e-12)
    assert nn.GaussianNLLLoss(full=full)(
        minidl.tensor(MU), minidl.tensor(TARGET), minidl.tensor(var)
    ).item() == pytest.approx(expected.mean())


def test_gaussian_nll_clamps_var_at_eps_and_checks_it():
    tiny = minidl.tensor(np.full((4, 3), 1e-9), requires_grad=True)
    loss = F.gaussian_nll_loss(
        minidl.tensor(MU), minidl.tensor(TARGET), tiny, eps=1e-6, reduction="sum"
    )
    expected = 0.5 * (np.log(1e-6) + (MU - TARGET) ** 2 / 1e-6)
    np.testing.assert_allclose(loss.item(), expected.sum(), rtol=1e-12)
    loss.backward()  # the clamp is outside the graph: d/dvar at var = eps, as torch
    np.testing.assert_allclose(tiny.grad.data, 0.5 * (1 / 1e-6 - (MU - TARGET) ** 2 / 1e-12))
    with pytest.raises(ValueError, match="var of shape \\(3,\\) does not fit input of shape"):
        F.gaussian_nll_loss(minidl.tensor(MU), minidl.tensor(TARGET), minidl.ones(3))
    with pytest.raises(ValueError, match="var has negative entries"):
        F.gaussian_nll_loss(minidl.tensor(MU), minidl.tensor(TARGET), -minidl.ones(4, 3))
    assert F.gaussian_nll_loss(minidl.tensor(MU), minidl.tensor(TARGET), 0.5).item() == (
        pytest.approx((0.5 * (np.log(0.5) + (MU - TARGET) ** 2 / 0.5)).mean())
    )


def test_poisson_nll_is_rate_minus_count_log_rate():
    x = RNG.standard_normal((4, 3))
    got = F.poisson_nll_loss(minidl.tensor(x), minidl.tensor(COUNTS), reduction="none")
    np.testing.assert_allclose(got.data, np.exp(x) - COUNTS * x, rtol=1e-12)
    rate = RNG.uniform(0.1, 5.0, (4, 3))
    got = nn.PoissonNLLLoss(log_input=False, full=True, reduction="sum")(
        minidl.tensor(rate), minidl.tensor(COUNTS)
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        c = COUNTS
        stirling = np.where(c > 1, c * np.log(c) - c + 0.5 * np.log(2 * np.pi * c), 0.0)
    expected = (rate - COUNTS * np.log(rate + 1e-8) + stirling).sum()
    assert got.item() == pytest.approx(expected, rel=1e-12)


def test_signatures_keep_torchs_positions_and_make_the_rest_keyword_only():
    # torch's size_average / reduce are absent, so what comes after them is keyword-only
    def kinds(fn):
        return [
            (p.name, p.kind == p.KEYWORD_ONLY) for p in inspect.signature(fn).parameters.values()
        ]

    assert kinds(nn.KLDivLoss) == [("reduction", True), ("log_target", True)]
    assert kinds(nn.MarginRankingLoss) == [("margin", False), ("reduction", True)]
    assert kinds(nn.CosineEmbeddingLoss) == [("margin", False), ("reduction", True)]
    assert kinds(nn.GaussianNLLLoss) == [("full", True), ("eps", True), ("reduction", True)]
    assert kinds(nn.PoissonNLLLoss) == [
        ("log_input", False),
        ("full", False),
        ("eps", True),
        ("reduction", True),
    ]
    assert [n for n, k in kinds(F.gaussian_nll_loss) if not k] == [
        "input",
        "target",
        "var",
        "full",
        "eps",
        "reduction",
    ]


# ----- torch 2.13 --------------------------------------------------------------------------

CASES = [
    ("kl_div batchmean", "kl_div", (LOG_Q, P), {"reduction": "batchmean"}, (0,)),
    ("kl_div sum", "kl_div", (LOG_Q, P), {"reduction": "sum"}, (0,)),
    ("kl_div none", "kl_div", (LOG_Q, P), {"reduction": "none"}, (0,)),
    (
        "kl_div log_target",
        "kl_div",
        (LOG_Q, np.log(P[[1, 2, 1]])),
        {"reduction": "batchmean", "log_target": True},
        (0, 1),
    ),
    ("margin_ranking", "margin_ranking_loss", (X1[:, 0], X2[:, 0], Y), {"margin": 0.3}, (0, 1)),
    (
        "margin_ranking none",
        "margin_ranking_loss",
        (X1[:, 0], X2[:, 0], Y),
        {"reduction": "none"},
        (0, 1),
    ),
    ("cosine_embedding", "cosine_embedding_loss", (X1, X2, Y), {"margin": 0.2}, (0, 1)),
    (
        "cosine_embedding sum zero vector",
        "cosine_embedding_loss",
        (np.vstack([np.zeros(3), X1[1:]]), X2, Y),
        {"reduction": "sum"},
        (0, 1),
    ),
    ("cosine_embedding 1-d", "cosine_embedding_loss", (X1[0], X2[0], np.array(-1.0)), {}, (0, 1)),
    ("gaussian_nll", "gaussian_nll_loss", (MU, TARGET, RNG.uniform(0.1, 2, (4, 3))), {}, (0, 1, 2)),
    (
        "gaussian_nll full sum (4,)",
        "gaussian_nll_loss",
        (MU, TARGET, RNG.uniform(0.1, 2, (4,))),
        {"full": True, "reduction": "sum"},
        (0, 1, 2),
    ),
    (
        "gaussian_nll (1,3) var below eps",
        "gaussian_nll_loss",
        (MU, TARGET, np.array([[1e-9, 0.5, 1e-7]])),
        {"reduction": "none"},
        (0, 1, 2),
    ),
    ("poisson_nll", "poisson_nll_loss", (RNG.standard_normal((4, 3)), COUNTS), {}, (0,)),
    (
        "poisson_nll rate full",
        "poisson_nll_loss",
        (RNG.uniform(0.1, 5, (4, 3)), COUNTS),
        {"log_input": False, "full": True, "reduction": "none"},
        (0,),
    ),
]


@pytest.mark.parametrize("name, fn, arrays, kw, grads", CASES, ids=[c[0] for c in CASES])
def test_losses_match_pytorch(name, fn, arrays, kw, grads):
    torch = pytest.importorskip("torch")
    ts = [torch.tensor(a, requires_grad=i in grads) for i, a in enumerate(arrays)]
    ms = [minidl.tensor(a, requires_grad=i in grads) for i, a in enumerate(arrays)]
    theirs = getattr(torch.nn.functional, fn)(*ts, **kw)
    ours = getattr(F, fn)(*ms, **kw)
    assert ours.shape == tuple(theirs.shape)
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-12, atol=1e-14)
    g = np.random.default_rng(1).standard_normal(ours.shape)
    (theirs * torch.tensor(g)).sum().backward()
    (ours * minidl.tensor(g)).sum().backward()
    for i in grads:
        np.testing.assert_allclose(ms[i].grad.data, ts[i].grad.numpy(), rtol=1e-10, atol=1e-12)


def test_loss_modules_match_pytorch():
    torch = pytest.importorskip("torch")
    pairs = [
        (
            nn.KLDivLoss(reduction="batchmean", log_target=False),
            torch.nn.KLDivLoss(reduction="batchmean"),
            (LOG_Q, P),
        ),
        (nn.MarginRankingLoss(0.2), torch.nn.MarginRankingLoss(0.2), (X1[:, 0], X2[:, 0], Y)),
        (
            nn.CosineEmbeddingLoss(0.1, reduction="sum"),
            torch.nn.CosineEmbeddingLoss(0.1, reduction="sum"),
            (X1, X2, Y),
        ),
        (
            nn.GaussianNLLLoss(full=True, eps=1e-3),
            torch.nn.GaussianNLLLoss(full=True, eps=1e-3),
            (MU, TARGET, np.full((4, 1), 1e-4)),
        ),
        (
            nn.PoissonNLLLoss(False, True),
            torch.nn.PoissonNLLLoss(False, True),
            (np.abs(MU), COUNTS),
        ),
    ]
    for ours, theirs, arrays in pairs:
        got = ours(*(minidl.tensor(a) for a in arrays)).item()
        assert got == pytest.approx(theirs(*(torch.tensor(a) for a in arrays)).item(), rel=1e-12)
