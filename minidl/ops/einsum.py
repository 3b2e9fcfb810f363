"""``einsum``: a sum of products over subscripts named by letters (``"ij,jk->ik"``), with
its equation parser (``parse_einsum``: explicit or implicit output, ``...`` broadcasting,
diagonals such as ``ii``) and its ``Einsum`` Function, whose gradients are einsums too.

Mixed dtypes promote (``_common_dtype``), where PyTorch raises.
"""

import numpy as np

from minidl.autograd import Function, op_error
from minidl.ops.linalg import _contiguous, _same_dtype


class Einsum(Function):
    """out = einsum(terms → output, *operands): the product of the operands' entries, summed
    over every subscript that is not in the output.  ``terms`` has one string of subscripts
    per operand, ``...`` already spelled out as letters.

    d operandₖ is the same kind of sum: dout times the other operands, kept on operandₖ's
    subscripts.  Two cases need more than one einsum: a subscript repeated inside operandₖ
    (``ii``, its diagonal) gets the gradient written onto that diagonal, zeros elsewhere; a
    subscript found in operandₖ alone (summed away, ``ij->i``) gets the gradient broadcast
    along it, since each of its entries added to the output once.  A subscript of size 1 in
    operandₖ, broadcast against a larger size, gets the gradient summed back to size 1.
    """

    @staticmethod
    def forward(ctx, *operands, terms, output):
        ctx.save_for_backward(*operands)
        ctx.terms, ctx.output = terms, output
        equation = ",".join(terms) + "->" + output
        return np.einsum(equation, *operands, optimize=len(operands) > 2)

    @staticmethod
    def backward(ctx, grad):
        operands = ctx.saved_tensors
        terms, output = ctx.terms, ctx.output
        g = _contiguous(grad)
        grads = []
        for k, (x, term) in enumerate(zip(operands, terms)):
            if not ctx.needs_input_grad[k]:
                grads.append(None)
                continue
            others = [i for i in range(len(terms)) if i != k]
            seen = set(output).union(*(terms[i] for i in others))
            unique = "".join(dict.fromkeys(term))
            kept = "".join(c for c in unique if c in seen)
            size = dict(zip(term, x.shape))
            ein = ",".join([output, *(terms[i] for i in others)]) + "->" + kept
            gk = np.einsum(ein, g, *(operands[i] for i in others), optimize=len(terms) > 2)
            shrunk = tuple(a for a, c in enumerate(kept) if gk.shape[a] != size[c] == 1)
            if shrunk:  # size 1 in x, broadcast against the others' larger size
                gk = gk.sum(axis=shrunk, keepdims=True)
            alone = "".join(c for c in unique if c not in seen)
            if alone:
                gk = gk.reshape(gk.shape + (1,) * len(alone))
                gk = gk.transpose([(kept + alone).index(c) for c in unique])
            # along x's own subscripts, and those where the others had size 1, each entry
            # of x met the same gradient
            gk = np.broadcast_to(gk, [size[c] for c in unique])
            if unique != term:  # repeated subscripts: only the diagonal reached the output
                full = np.zeros(x.shape, np.result_type(gk, x))
                np.einsum(term + "->" + unique, full)[...] = gk  # a writable view of it
                gk = full
            grads.append(_contiguous(gk))
        return tuple(grads)


# ----- parsing the equation ---------------------------------------------------------------


_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _subscripts(term, where):
    """A term's subscripts as a list of letters, with "..." kept as one item."""
    parts = term.split("...")
    if len(parts) > 2:
        raise op_error(ValueError, f"einsum: {where} '{term}' has more than one '...'")
    for c in "".join(parts):
        if c not in _LETTERS:
            raise op_error(
                ValueError,
                f"einsum: {where} '{term}' has the character {c!r}; subscripts are letters "
                "a-z, A-Z, and at most one '...'",
            )
    return list(parts[0]) + (["...", *parts[1]] if len(parts) == 2 else [])


def parse_einsum(equation, shapes):
    """``equation`` as one letter string per operand and one for the output, '...' spelled out
    as unused letters (right-aligned across operands, as broadcasting aligns them), after
    checking every term against its operand's shape."""
    eq = equation.replace(" ", "")
    if eq.count("->") > 1:
        raise op_error(ValueError, f"einsum: equation '{equation}' has more than one '->'")
    lhs, arrow, rhs = eq.partition("->")
    inputs = lhs.split(",")
    if len(inputs) != len(shapes):
        raise op_error(
            ValueError,
            f"einsum: equation '{equation}' has {len(inputs)} operand term(s) but "
            f"{len(shapes)} operand(s) were given",
        )
    subs = [_subscripts(t, f"term {k}") for k, t in enumerate(inputs)]
    extra = []  # how many dims each operand's '...' stands for
    for k, (term, s, shape) in enumerate(zip(inputs, subs, shapes)):
        named = len(s) - ("..." in s)
        if named > len(shape) or ("..." not in s and named != len(shape)):
            expected = f"at least {named}" if "..." in s else str(named)
            raise op_error(
                ValueError,
                f"einsum: term '{term}' names {expected} dim(s) but operand {k} has shape "
                f"{shape} ({len(shape)} dims)",
            )
        extra.append(len(shape) - named)
    free = [c for c in _LETTERS if c not in eq]
    if max(extra) > len(free):
        raise op_error(
            ValueError,
            f"einsum: '...' stands for {max(extra)} dims but only {len(free)} letters are left "
            f"unused by '{equation}' to name them",
        )
    ellipsis = "".join(free[: max(extra)])
    terms = []
    for s, e in zip(subs, extra):
        terms.append("".join(ellipsis[len(ellipsis) - e :] if c == "..." else c for c in s))
    _check_sizes(inputs, terms, shapes)
    if arrow:
        out = _subscripts(rhs, "output")
        for c in out:
            if c != "..." and c not in lhs:
                raise op_error(
                    ValueError,
                    f"einsum: output subscript {c} of '{equation}' is in no operand's term",
                )
            if c != "..." and out.count(c) > 1:
                raise op_error(
                    ValueError,
                    f"einsum: output subscript {c} appears more than once in '{rhs}'",
                )
        output = "".join(ellipsis if c == "..." else c for c in out)
    else:  # implicit: '...' first, then the subscripts used once, in alphabetical order
        once = sorted(c for c in set(lhs) if c in _LETTERS and lhs.count(c) == 1)
        output = ellipsis + "".join(once)
    return terms, output


def _check_sizes(inputs, terms, shapes):
    """Each subscript has one size: equal within an operand (a diagonal), equal or 1
    (broadcast) across operands, as in PyTorch."""
    size = {}
    for k, (term, shape) in enumerate(zip(terms, shapes)):
        mine = {}
        for c, n in zip(term, shape):
            if mine.setdefault(c, n) != n:
                raise op_error(
                    ValueError,
                    f"einsum: subscript {c} is repeated in term '{inputs[k]}' of operand {k} "
                    f"(shape {shape}) with sizes {mine[c]} and {n}; a diagonal needs equal sizes",
                )
        for c, n in mine.items():
            seen = size.setdefault(c, n)
            if n != seen and 1 not in (n, seen):
                name = "a '...' dim" if c not in "".join(inputs) else f"subscript {c}"
                raise op_error(
                    ValueError,
                    f"einsum: {name} has size {n} in term '{inputs[k]}' of operand {k} "
                    f"(shape {shape}) but size {seen} in an earlier operand; sizes must be "
                    "equal or 1",
                )
            if seen == 1:
                size[c] = n


# ----- functional form --------------------------------------------------------------------


def einsum(equation, *operands):
    """Einstein summation, as ``torch.einsum``: ``einsum("ij,jk->ik", a, b)`` is a @ b.

    Each operand gets a term of subscripts (letters, and at most one ``...`` for the leading
    dims, broadcast across operands); a subscript repeated in one term takes a diagonal; the
    output keeps the subscripts after ``->`` and sums over the rest.  Without ``->`` the
    output is ``...`` then the subscripts used once, in alphabetical order (``"ij,jk"`` →
    ``"ik"``, ``"ii"`` → the trace).  The operands may also come as one list.
    PyTorch's sublist form ``einsum(a, [0, 1], b, [1, 2])`` is not supported."""
    if not isinstance(equation, str):
        raise op_error(
            TypeError,
            f"einsum: the first argument must be the equation, a string like 'ij,jk->ik', "
            f"got {type(equation).__name__} (the sublist form is not supported)",
        )
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not operands:
        raise op_error(ValueError, f"einsum: '{equation}' needs at least one operand")
    xs = _same_dtype("einsum", *operands)
    if xs[0].data.dtype == np.bool_:
        raise op_error(
            TypeError, "einsum: bool operands are not supported; convert with .float() or .long()"
        )
    terms, output = parse_einsum(equation, [x.shape for x in xs])
    return Einsum.apply(*xs, terms=tuple(terms), output=output)
