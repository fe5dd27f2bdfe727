"""Property-based API tests from the app's own OpenAPI document, over real HTTP: for a bounded
number of generated requests per operation, no 5xx and every check schemathesis registers
(``--checks all``) passes."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from litestar.testing import TestClient
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.config import SchemathesisConfig

from clipnet.entrypoints.http import create_app
from tests.loopback.asgi import serving
from tests.unit.http.conftest import ApiUser, memory_container

MAX_EXAMPLES = 15


# The schema is read when the module is collected, so the app is built then (in memory).
# Its tokens outlive a long suite: schemathesis builds some cases, with their token, then.
# The data folder is removed when the interpreter exits (TemporaryDirectory's finaliser).
DATA_DIR = tempfile.TemporaryDirectory(prefix="clipnet-schemathesis-")
APP = create_app(
    memory_container(
        Path(DATA_DIR.name),
        CLIPNET_ACCESS_TOKEN_MINUTES="1440",
    )
)
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
# ClipBOT's webhooks (/bot/*) are documented but not fuzzed here: every request must carry the
# platform's signature over its exact body (generated bodies never do, so each would be a 401
# or 403), and in this app no platform secret is set (503). Their hostile-input corpus, signed
# with test secrets, is tests/unit/bot/test_hostile_webhooks.py.
# GET /events is a stream that stays open for minutes (CLIPNET_EVENTS_STREAM_SECONDS), which a
# fuzzer's request would wait out; its answers are tested in tests/unit/http/test_event_stream.py.
schema = schemathesis.openapi.from_dict(APP.openapi_schema.to_schema(), config=CONFIG).exclude(
    path_regex="^/bot/|^/events$"
)
load_all_checks()
#: Every check schemathesis registers (``--checks all``).
ALL_CHECKS = [CHECKS.get_one(name) for name in CHECKS.get_all_names()]


def fuzz_user_token() -> str:
    """A user with one source; their access token (the app's state lives in its container)."""
    with TestClient(APP, raise_server_exceptions=False) as client:
        user = ApiUser(client, "fuzz")
        user.upload()
        return str(user.tokens["access_token"])


TOKEN = fuzz_user_token()


@schema.auth()
class FuzzUserBearer:
    """The bearer token as schemathesis' own auth, not as a header the test adds: then a
    negative case that drops the ``Authorization`` header really goes without it (and must
    be a 401), and ``ignored_auth`` knows which credentials to take away."""

    def get(self, case: Any, context: Any) -> str:
        return TOKEN

    def set(self, case: Any, data: str, context: Any) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    """The app on a loopback port: ``ignored_auth`` re-sends requests itself, over HTTP."""
    with serving(APP) as base:
        yield base


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_operation_answers_5xx_or_fails_a_schemathesis_check(case: Any, served: str) -> None:
    response = case.call(base_url=served, timeout=30)
    assert response.status_code < 500, response.text
    case.validate_response(response, checks=ALL_CHECKS)
