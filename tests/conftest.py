"""Test-wide settings: a fast, reproducible hypothesis profile and a headless plot backend."""

import os

os.environ.setdefault("MPLBACKEND", "Agg")

from hypothesis import HealthCheck, settings  # noqa: E402

# derandomize and no example database: the same examples on every run and every machine,
# so a failure reproduces exactly; deadline=None: a gradcheck's timing varies with load
settings.register_profile(
    "minidl",
    max_examples=30,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "minidl"))
