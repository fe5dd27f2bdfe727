"""Property-based API tests from the app's own OpenAPI document: for a bounded number of
generated requests per operation, no 5xx and every response matches the schema."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from litestar import Litestar
from litestar.testing import TestClient
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.config import SchemathesisConfig

from clipnet.entrypoints.http import create_app
from tests.unit.http.conftest import ApiUser, memory_container

MAX_EXAMPLES = 15


# The schema is read when the module is collected, so the app is built then (in memory).
APP = create_app(memory_container(Path(tempfile.mkdtemp(prefix="clipnet-schemathesis-"))))
# A schema-valid body can still break a domain rule (a span past the end of the source, an
# address that is not an email): that is the documented 422, so it counts as accepted.
CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "3xx", 401, 403, 404, 409, 422, 429]
            }
        }
    }
)
schema = schemathesis.openapi.from_dict(APP.openapi_schema.to_schema(), config=CONFIG)
load_all_checks()
#: Checks not run yet, each for a stated reason (follow-up in issue 13's note):
#: ``ignored_auth`` re-sends the request without credentials through schemathesis' own
#: transport, which cannot reach this in-process app; ``negative_data_rejection`` counts the
#: bearer header this test always sends as a "missing required header" case accepted, and
#: unknown query parameters are ignored, not refused.
NOT_YET = {"ignored_auth", "negative_data_rejection"}
#: Every other check schemathesis registers (the rest of ``--checks all``).
ALL_CHECKS = [CHECKS.get_one(name) for name in CHECKS.get_all_names() if name not in NOT_YET]


@pytest.fixture(scope="module")
def client_and_token() -> Iterator[tuple[TestClient[Litestar], str]]:
    with TestClient(APP, raise_server_exceptions=False) as client:
        user = ApiUser(client, "fuzz")
        user.upload()
        yield client, user.tokens["access_token"]


def as_httpx(kwargs: dict[str, Any]) -> dict[str, Any]:
    """schemathesis builds requests-style arguments; the test client speaks httpx."""
    wanted = {"method", "url", "params", "headers", "json"}
    out = {k: v for k, v in kwargs.items() if k in wanted and v is not None}
    if kwargs.get("cookies"):  # as a header: httpx deprecates per-request cookie jars
        cookie = "; ".join(f"{name}={value}" for name, value in kwargs["cookies"].items())
        out["headers"] = {**out.get("headers", {}), "Cookie": cookie}
    if kwargs.get("files") is not None:
        out["files"] = [(name, _file_part(part)) for name, part in kwargs["files"]]
    data = kwargs.get("data")
    if isinstance(data, bytes | str):
        out["content"] = data
    elif data is not None:
        out["data"] = data
    return out


def _file_part(part: Any) -> Any:
    """httpx sends only str or bytes; requests would send a negative case's number as text."""
    if isinstance(part, tuple):
        filename, content, *rest = part
        return (filename, _file_part(content), *rest)
    return part if isinstance(part, bytes | str) else str(part)


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_operation_answers_5xx_or_off_schema(
    case: Any, client_and_token: tuple[TestClient[Litestar], str]
) -> None:
    client, token = client_and_token
    headers = {"Authorization": f"Bearer {token}"}
    kwargs = case.as_transport_kwargs(base_url="http://testserver.local", headers=headers)
    response = client.request(**as_httpx(kwargs))
    response.request.read()  # a multipart body is streamed; schemathesis reports the bytes
    assert response.status_code < 500, response.text
    case.validate_response(response, checks=ALL_CHECKS, headers=headers)
