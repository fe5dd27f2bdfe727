"""Fixtures that build each adapter of a port, so one contract suite runs against all of them.

To add an adapter, add its name to the fixture's ``params`` and a branch that builds it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from clipnet.adapters.memory.repositories import InMemoryDatabase
from clipnet.ports.repositories import UnitOfWorkFactory

REPOSITORY_BACKENDS = ["memory"]


@pytest.fixture(params=REPOSITORY_BACKENDS)
def uow_factory(request: pytest.FixtureRequest) -> Iterator[UnitOfWorkFactory]:
    """A fresh, empty database of each kind, as a unit-of-work factory."""
    if request.param == "memory":
        yield InMemoryDatabase().unit_of_work
    else:  # pragma: no cover - a backend listed without a builder is a bug in this file
        raise AssertionError(f"no builder for repository backend {request.param!r}")
