"""Input an attacker sends without logging in — odd tokens, deep JSON, odd media keys, odd
headers, a client that leaves mid-upload — is a clean 4xx (or a quiet close): never a 500,
never a traceback in the log."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from clipnet.adapters.json_depth import MAX_JSON_DEPTH, too_deep
from clipnet.container import Container
from clipnet.entrypoints.http import create_app
from tests.unit.http.conftest import FAKE_VIDEO, ApiUser, memory_container
from tests.unit.http.test_bad_input import JSON_ROUTES, assert_problem


@pytest.fixture
def container(tmp_path: Path) -> Container:
    return memory_container(tmp_path, CLIPNET_STORAGE="local", CLIPNET_MAX_UPLOAD_BYTES="100000")


def no_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


@pytest.mark.parametrize("token", [b"abc.\xc3\xa9", b"\xff\xfe.\x00", "é.é".encode(), b"a" * 5000])
def test_a_non_ascii_or_garbage_bearer_token_is_401(
    client: TestClient[Litestar], caplog: pytest.LogCaptureFixture, token: bytes
) -> None:
    response = client.get("/auth/me", headers={"Authorization": b"Bearer " + token})
    assert_problem(response, 401)
    no_tracebacks(caplog)


@pytest.mark.parametrize(("method", "path", "body"), JSON_ROUTES)
def test_json_nested_a_thousand_deep_is_400_on_every_json_route(
    client: TestClient[Litestar],
    alice: ApiUser,
    caplog: pytest.LogCaptureFixture,
    method: str,
    path: str,
    body: dict[str, object],
) -> None:
    headers = {**alice.headers, "Content-Type": "application/json"}
    deep = b'{"email": ' + nested(1000) + b"}"
    response = client.request(method, path, content=deep, headers=headers)
    problem = assert_problem(response, 400)
    assert str(MAX_JSON_DEPTH) in str(problem["detail"])
    no_tracebacks(caplog)


def test_the_depth_check_ignores_brackets_in_strings_and_counts_real_nesting() -> None:
    assert not too_deep(b'{"a": "' + b"[" * 500 + b'"}')
    assert not too_deep(b'{"a": "\\"[[[["}')
    assert not too_deep(nested(MAX_JSON_DEPTH))
    assert too_deep(nested(MAX_JSON_DEPTH + 1))
    assert too_deep(b"[{}]" * 10 + b'{"a":' * 100 + b"1" + b"}" * 100)


@pytest.mark.parametrize(
    "key", ["a" * 256, "sources/" + "b" * 300 + "/c.mp4", "sources/%00", "%00", "sources/x%00.mp4"]
)
def test_media_keys_no_file_could_have_are_404(
    client: TestClient[Litestar], caplog: pytest.LogCaptureFixture, key: str
) -> None:
    assert_problem(client.get(f"/media/{key}"), 400, 404)
    no_tracebacks(caplog)


def test_a_stored_media_file_is_still_served(client: TestClient[Litestar], alice: ApiUser) -> None:
    url = alice.upload().json()["url"]
    response = client.get(url.removeprefix("http://127.0.0.1:8000"))
    assert response.status_code == 200 and response.content == FAKE_VIDEO


HOSTILE_HEADERS: list[dict[str, Any]] = [
    {"Authorization": "Bearer " + "x" * 60_000},
    {"Authorization": b"\xc3\xa9\xc3\xa9 \xff"},
    {"Content-Type": b"application/json; charset=\xff"},
    {"Content-Type": "multipart/form-data; boundary=" + "b" * 5000},
    {"Content-Length": "-5"},
    {"Content-Length": "abc"},
    {"X-Forwarded-For": "é" * 100},
    {"Accept": "\x01\x02" * 100},
    {"Cookie": "clipnet_oauth=" + "é" * 2000},
]


@pytest.mark.parametrize("headers", HOSTILE_HEADERS)
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/auth/me"),
        ("POST", "/auth/login"),
        ("POST", "/sources/upload"),
        ("GET", "/clips/"),
        ("GET", "/oauth/twitch/callback?state=%C3%A9&code=x"),
        ("GET", "/health/live"),
    ],
)
def test_hostile_headers_never_cause_a_5xx_or_a_traceback(
    client: TestClient[Litestar],
    caplog: pytest.LogCaptureFixture,
    method: str,
    path: str,
    headers: dict[str, Any],
) -> None:
    raw = {name: v.encode() if isinstance(v, str) else v for name, v in headers.items()}
    response = client.request(method, path, headers=raw, content=b'{"email": "a"}')
    assert response.status_code < 500, response.text
    no_tracebacks(caplog)


def test_repeated_headers_never_cause_a_5xx(
    client: TestClient[Litestar], caplog: pytest.LogCaptureFixture
) -> None:
    headers = [("Authorization", "Bearer a.b")] * 50 + [("Content-Type", "text/plain")] * 50
    for path in ("/auth/me", "/clips/", "/auth/login"):
        response = client.request("POST" if "login" in path else "GET", path, headers=headers)
        assert 400 <= response.status_code < 500
    no_tracebacks(caplog)


def test_options_allow_lists_every_method_of_the_path(client: TestClient[Litestar]) -> None:
    assert client.options("/clips/").headers["allow"] == "GET, OPTIONS, POST"
    assert client.options("/auth/me").headers["allow"] == "GET, OPTIONS, PATCH"
    assert client.options("/clips/c1").headers["allow"] == "DELETE, GET, OPTIONS, PATCH"


def test_the_schema_says_request_bodies_refuse_unknown_fields(app: Litestar) -> None:
    schemas = app.openapi_schema.to_schema()["components"]["schemas"]
    for body in ("SignUp", "Login", "RefreshRequest", "UrlSourceIn", "ClipCreate", "ClipUpdate"):
        assert schemas[body]["additionalProperties"] is False, body
    assert "additionalProperties" not in schemas["ClipOut"]  # answers may grow fields
    # and bounds of 0 survive (Litestar drops falsy ones): a negative start is refused
    assert schemas["ClipCreate"]["properties"]["start"]["minimum"] == 0


# -- uploads, at the ASGI level (what a client that leaves looks like to the app) -----------


def upload_scope(token: str, content_length: int) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/sources/upload",
        "raw_path": b"/sources/upload",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"testserver"),
            (b"authorization", f"Bearer {token}".encode()),
            (b"content-type", b"multipart/form-data; boundary=XyZ"),
            (b"content-length", str(content_length).encode()),
        ],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
        "state": {},
    }


def call(app: Litestar, scope: dict[str, Any], messages: list[dict[str, Any]]) -> tuple[int, int]:
    """Run one request through the app; (status, body messages the app asked for)."""
    asked = 0
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal asked
        asked += 1
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))  # type: ignore[arg-type]
    return int(sent[0]["status"]), asked


PART = b'--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a.mp4"\r\n\r\nFAKEVIDEO'


@pytest.fixture
def app_and_token(container: Container) -> tuple[Litestar, str]:
    """An app and a user's token, made before the test (starting an app configures logging,
    which would unhook the test's log capture)."""
    app = create_app(container)
    with TestClient(app) as client:
        return app, ApiUser(client, "uploader").tokens["access_token"]


def test_a_client_that_leaves_mid_upload_is_one_info_line_and_leaves_no_file(
    app_and_token: tuple[Litestar, str], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app, token = app_and_token
    caplog.set_level(logging.INFO)
    messages = [{"type": "http.request", "body": PART, "more_body": True}]
    status, _ = call(app, upload_scope(token, 90_000), messages)  # then: http.disconnect
    assert status == 400
    no_tracebacks(caplog)
    lines = [r for r in caplog.records if "client left" in r.getMessage()]
    assert len(lines) == 1 and lines[0].levelno == logging.INFO
    assert not list(tmp_path.rglob("upload-*"))


def test_an_upload_whose_content_length_is_over_the_limit_is_413_before_reading_it(
    app_and_token: tuple[Litestar, str],
) -> None:
    app, token = app_and_token
    messages = [{"type": "http.request", "body": PART, "more_body": True}]
    status, asked = call(app, upload_scope(token, 10**12), messages)
    assert status == 413
    assert asked == 0, "the body was not read"


def test_a_non_ascii_oauth_state_is_a_state_mismatch_not_a_500(tmp_path: Path) -> None:
    container = memory_container(tmp_path, CLIPNET_OAUTH_CLIENTS="twitch=ID:SECRET")
    with TestClient(create_app(container), raise_server_exceptions=False) as client:
        user = ApiUser(client, "linker")
        assert client.post("/oauth/twitch/start", headers=user.headers).status_code == 200
        response = client.get("/oauth/twitch/callback?state=%C3%A9&code=x", headers=user.headers)
    problem = assert_problem(response, 400)
    assert problem["type"] == "/problems/oauth-state-mismatch"
