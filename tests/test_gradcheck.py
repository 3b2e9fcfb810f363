"""minidl.gradcheck and numerical_grad: they pass correct gradients and catch wrong ones."""

import numpy as np
import pytest
from strategies import leaf, square_with_slope

import minidl
from minidl import GradcheckError, gradcheck, numerical_grad
from minidl.gradcheck import check_gradients

WrongSquare = square_with_slope(3)  # y = x², with a deliberately wrong backward (3x, not 2x)


def test_gradcheck_passes_a_correct_op():
    assert gradcheck(lambda a, b: (a * b).tanh(), (leaf([[0.3, -1.2]]), leaf([0.5, 2.0])))


def test_gradcheck_accepts_a_single_tensor():
    assert gradcheck(minidl.exp, leaf([0.1, 0.2]))


def test_gradcheck_catches_a_wrong_backward_and_names_where():
    x = np.array([0.5, -2.0, 1.0])
    with pytest.raises(GradcheckError) as info:
        gradcheck(WrongSquare.apply, (leaf(x),))
    msg = str(info.value)
    assert "input 0" in msg and "(3,)" in msg
    # the output is projected on w ~ U(-1, 1) (seed 0): analytic 3x·w and numeric 2x·w differ
    # by |x·w| minus the tolerance 1e-3·|2x·w|, largest where |x·w| is largest
    w = np.random.default_rng(0).uniform(-1.0, 1.0, 3)
    assert f"worst at index ({int(np.argmax(np.abs(x * w)))},)" in msg
    assert "analytic" in msg and "numeric" in msg


def test_gradcheck_reports_analytic_and_numeric_values():
    x = np.array([[2.0]])
    (report,) = check_gradients(lambda t: WrongSquare.apply(t).sum(), (leaf(x),))
    assert not report.ok
    assert report.worst_index == (0, 0)
    assert report.analytic == pytest.approx(6.0 * _weight())
    assert report.numeric == pytest.approx(4.0 * _weight(), rel=1e-6)
    assert f"{report.analytic:.10g}" in str(report) and f"{report.numeric:.10g}" in str(report)


def _weight():
    # check_gradients projects a vector output on w ~ U(-1, 1) from seed 0; a 0-d output has one
    return np.random.default_rng(0).uniform(-1.0, 1.0, ())


def test_gradcheck_names_the_failing_input_among_several():
    good, bad = leaf([1.0, 2.0]), leaf([0.5, 1.5])
    with pytest.raises(GradcheckError, match=r"input 1 \(shape \(2,\)\)") as info:
        gradcheck(lambda a, b: a * 2.0 + WrongSquare.apply(b), (good, bad))
    assert "input 0" not in str(info.value)
    # the values are of <w, fn(x)>, not fn's own derivative: the message says so, and how
    # to get central differences with w = 1
    assert "derivatives of <w, fn(x)>" in str(info.value)
    assert "minidl.numerical_grad(fn, inputs)" in str(info.value)


def test_raise_exception_false_returns_false():
    assert gradcheck(WrongSquare.apply, (leaf([1.0, 2.0]),), raise_exception=False) is False
    assert gradcheck(minidl.exp, (leaf([1.0, 2.0]),), raise_exception=False) is True


def test_gradcheck_checks_only_inputs_marked_requires_grad():
    a = leaf([1.0, 2.0])
    c = minidl.tensor([0.5, 0.5], dtype=np.float64)  # constant: its wrong gradient is not checked
    assert gradcheck(lambda x, k: x * WrongSquare.apply(k), (a, c))
    assert len(check_gradients(lambda x, k: x * WrongSquare.apply(k), (a, c))) == 1


def test_gradcheck_works_in_float64_on_float32_inputs():
    x = minidl.tensor([0.3, 0.7], requires_grad=True)
    assert gradcheck(lambda t: t.exp() * t, (x,))
    assert x.dtype == np.float32 and x.grad is None  # the caller's tensor is untouched


def test_gradcheck_detects_an_fn_that_modifies_its_input():
    def clobber(t):
        t.data[0] = 99.0
        return t * 1.0

    with pytest.raises(GradcheckError, match="modified its input"):
        gradcheck(clobber, (leaf([1.0, 2.0]),))


def test_gradcheck_handles_several_outputs():
    assert gradcheck(lambda t: t.split(1), (leaf([1.0, 2.0, 3.0]),))


def test_numerical_grad_of_cube_is_three_x_squared():
    x = np.array([[-1.5, 0.2], [2.0, 3.0]])
    (g,) = numerical_grad(lambda t: t**3, (leaf(x),))
    np.testing.assert_allclose(g, 3 * x**2, rtol=1e-7)


def test_numerical_grad_weights_outputs_with_grad_outputs():
    x = np.array([1.0, 2.0])
    w = np.array([0.5, -2.0])
    (g,) = numerical_grad(lambda t: t * t, (leaf(x),), grad_outputs=[w])
    np.testing.assert_allclose(g, 2 * x * w, rtol=1e-7)


def test_numerical_grad_returns_one_array_per_float_input():
    a, b = leaf([1.0, 2.0]), leaf([[3.0]])
    ga, gb = numerical_grad(lambda x, y: x * y, (a, b))
    np.testing.assert_allclose(ga, [3.0, 3.0], rtol=1e-7)
    np.testing.assert_allclose(gb, [[3.0]], rtol=1e-7)


def test_gradcheck_without_float_inputs_is_an_error():
    with pytest.raises(ValueError, match="no float tensor"):
        gradcheck(lambda t: t * 1.0, (minidl.tensor([1, 2]),))


def test_selfcheck_fails_a_case_whose_second_input_has_the_wrong_gradient():
    from minidl import selfcheck

    def make(rng):
        return (lambda a, b: a * 2.0 + WrongSquare.apply(b)), (leaf([1.0, 2.0]), leaf([0.5, 1.5]))

    (result,) = selfcheck.run([selfcheck.GradCase("bad second input", make, "(2,), (2,)")])
    assert not result.ok and "input 1" in result.message


def test_selfcheck_catches_an_error_of_one_in_ten_thousand():
    # gradcheck's PyTorch-style defaults (atol 1e-5, rtol 1e-3) let this through; the self-check
    # (and the op tests) use the strict float64 tolerances
    AlmostSquare = square_with_slope(2 * (1 + 1e-4))
    from minidl import selfcheck

    inputs = (leaf([0.5, -1.5, 2.0]),)
    assert gradcheck(AlmostSquare.apply, inputs)
    (result,) = selfcheck.run(
        [selfcheck.GradCase("almost square", lambda rng: (AlmostSquare.apply, inputs), "(3,)")]
    )
    assert not result.ok


def test_gradcheck_of_a_function_returning_an_array_is_an_error():
    with pytest.raises(TypeError, match="gradcheck: fn must return Tensors, got ndarray"):
        gradcheck(lambda t: t.data * 2, (leaf([1.0, 2.0]),))


def test_tensors_inside_a_list_input_are_refused_not_left_unchecked():
    a, b = leaf([1.0, 2.0]), leaf([3.0])
    with pytest.raises(TypeError, match="input 1 is a list holding tensors"):
        gradcheck(lambda s, ts: s * minidl.cat(ts), (leaf(0.5), [a, b]))
    assert a.grad is None and b.grad is None  # and the caller's tensors were not written


def test_unchecked_float32_inputs_are_compared_in_float64():
    # s (0-d, checked) ⊙ x (float32, not checked) would be float32 by PyTorch's promotion
    s = leaf(1.3)
    x = minidl.tensor([0.1, -2.0, 3.7])  # float32
    (report,) = check_gradients(lambda s, x: (s * x).exp(), (s, x), atol=1e-8, rtol=1e-6)
    assert report.ok, report


def test_a_float32_output_is_refused():
    c = minidl.tensor([1.0, 2.0])  # float32, captured: the differences would be in float32
    with pytest.raises(TypeError, match="output 0 of fn is float32"):
        gradcheck(lambda s: s * c, (leaf(0.5),))


def test_pytorch_spelling_autograd_gradcheck():
    # torch.autograd.gradcheck, with the same defaults (eps 1e-6, atol 1e-5, rtol 1e-3)
    from minidl.autograd import GradcheckError as Error
    from minidl.autograd import gradcheck as spelled

    assert spelled is gradcheck and Error is GradcheckError
    assert spelled(minidl.exp, (leaf([0.5, 1.0]),))
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        minidl.autograd.nope  # noqa: B018
