"""Grad mode: whether ops are recorded for backward.

One flag, ``_GradMode.enabled``, read by every op (``Function.apply``), and the
blocks that set it for a ``with`` block or a decorated function: ``no_grad``,
``enable_grad``, ``inference_mode``, ``set_grad_enabled``.
"""

from __future__ import annotations

import functools
import inspect


class _GradModeState:
    """Whether ops are recorded.  One instance with a slot, not a class attribute: every op
    reads it, and an instance slot is the cheaper read (Python 3.11 caches it)."""

    __slots__ = ("enabled",)

    def __init__(self):
        self.enabled = True


_GradMode = _GradModeState()


def is_grad_enabled() -> bool:
    """True when operations are recorded for backward."""
    return _GradMode.enabled


class _GradModeBlock:
    """A block run with recording set to ``mode``: ``with ...:``, ``@...()`` or ``@...``."""

    mode = True

    def __new__(cls, fn=None):
        block = object.__new__(cls)
        if fn is None:
            return block
        if not callable(fn):
            raise TypeError(
                f"{cls.__name__}: takes no argument; write `with minidl.{cls.__name__}():` "
                "or use it as a decorator"
            )
        return block(fn)  # the bare decorator, @minidl.no_grad

    def __enter__(self):
        self.prev = _GradMode.enabled
        _GradMode.enabled = self.mode
        return self

    def __exit__(self, *exc):
        _GradMode.enabled = self.prev
        return False

    def __call__(self, fn):
        return _decorate(fn, type(self))


def _decorate(fn, block):
    """``fn`` run inside ``block()`` (a fresh block per call).  For a generator function
    the block covers each step of its body, not just the creation of the generator (which
    runs none of the body): ``@no_grad()`` on a generator of predictions records nothing."""
    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def generator(*args, **kwargs):
            gen = fn(*args, **kwargs)
            sent = thrown = None
            while True:
                with block():  # one step of the body: up to its next yield
                    try:
                        value = gen.send(sent) if thrown is None else gen.throw(thrown)
                    except StopIteration as stop:
                        return stop.value
                thrown = None
                try:
                    sent = yield value
                except GeneratorExit:
                    with block():
                        gen.close()
                    raise
                except BaseException as e:  # thrown into the wrapper: on to the body
                    thrown = e

        return generator

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with block():
            return fn(*args, **kwargs)

    return wrapper


class no_grad(_GradModeBlock):
    """``with minidl.no_grad():`` records nothing (evaluation, optimizer steps)."""

    mode = False


class enable_grad(_GradModeBlock):
    """Turns recording back on inside a ``no_grad`` block."""

    mode = True


class inference_mode(_GradModeBlock):
    """PyTorch's faster ``no_grad`` for evaluation; in minidl the same as ``no_grad``
    (``inference_mode(False)`` records, as ``enable_grad``)."""

    mode = False

    def __new__(cls, mode=True):
        if isinstance(mode, bool):  # inference_mode() or inference_mode(False): a block
            block = object.__new__(cls)
            block.mode = not mode
            return block
        return super().__new__(cls, mode)  # @inference_mode on a function

    def __call__(self, fn):
        recording = self.mode  # @inference_mode(False) keeps recording
        return _decorate(fn, lambda: inference_mode(not recording))


class set_grad_enabled:
    """``set_grad_enabled(False)`` turns recording off at once, as in PyTorch.

    Used as ``with set_grad_enabled(mode):`` or ``@set_grad_enabled(mode)``, it
    puts the previous mode back when the block or function ends.
    """

    def __init__(self, mode: bool):
        self.prev = _GradMode.enabled
        self.mode = bool(mode)
        _GradMode.enabled = self.mode  # a plain call is a switch (model evaluation scripts)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        _GradMode.enabled = self.prev
        return False

    def __call__(self, fn):
        _GradMode.enabled = self.prev  # as a decorator it acts only while fn runs
        mode = self.mode
        return _decorate(fn, lambda: set_grad_enabled(mode))
