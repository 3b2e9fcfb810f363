"""Hand-written NumPy versions of the benchmark workloads: forward, backward and update by hand.

No framework: each file writes out the derivatives a student would derive on
paper, with preallocated buffers and in-place ``out=`` NumPy, so that the
benchmark measures what minidl costs on top of careful NumPy.
"""
