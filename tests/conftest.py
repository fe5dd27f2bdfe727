"""Shared fixtures. Integration fixtures skip when a service is missing, except under CI."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

# Hypothesis' per-example deadline is a timed assertion: on a loaded machine it can fail correct
# code (a crop-path property failed once at load 10 on 2 cores, then passed 3,000 examples).
# Speed is measured in bench/, never here.
settings.register_profile("clipnet", deadline=None)
settings.load_profile("clipnet")

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require_service(available: bool, what: str) -> None:
    """Skip a test whose service is missing on a developer's machine; fail it in CI."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{what} is required in CI but is not available")
    pytest.skip(f"{what} is not available")
