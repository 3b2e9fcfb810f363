"""Benchmarks: each workload in minidl and as hand-written NumPy (``python benchmarks/run.py``)."""
