"""The API's request class: Litestar's, with JSON bodies measured before they are parsed."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.exceptions import ValidationException

from clipnet.adapters.json_depth import MAX_JSON_DEPTH, too_deep


class ApiRequest(Request[Any, Any, Any]):
    async def json(self) -> Any:
        """The body as JSON; 400 when it nests deeper than any parser should recurse."""
        if too_deep(await self.body()):
            raise ValidationException(f"the JSON body nests deeper than {MAX_JSON_DEPTH} levels")
        return await super().json()
