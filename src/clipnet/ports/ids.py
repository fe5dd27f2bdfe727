"""New identifiers."""

from __future__ import annotations

from typing import Protocol


class IdGenerator(Protocol):
    def new_id(self) -> str:
        """A new unique id. Ids made later sort after ids made earlier (cursor pagination)."""
