"""Bad input on every route — wrong types, unknown fields, huge bodies, bad ids, broken JSON —
is a 4xx problem+json with a reason, never a 5xx, and changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from clipnet.container import Container
from tests.unit.http.conftest import ApiUser, memory_container

PROBLEM = "application/problem+json"

#: (method, path, a body of the right shape) for every route that takes a JSON body.
JSON_ROUTES = [
    ("POST", "/auth/signup", {"email": "new@example.com", "password": "long enough"}),
    ("POST", "/auth/login", {"email": "new@example.com", "password": "long enough"}),
    ("POST", "/auth/refresh", {"refresh_token": "abc"}),
    ("PATCH", "/auth/me", {"display_name": "x"}),
    ("POST", "/sources/url", {"url": "https://videos.example.com/a.mp4"}),
    ("POST", "/clips/", {"source_id": "s", "start": 1, "end": 2}),
    ("PATCH", "/clips/c1", {"title": "t"}),
]

#: Routes that take an id in the path.
ID_ROUTES = [
    ("GET", "/sources/{id}"),
    ("DELETE", "/sources/{id}"),
    ("GET", "/clips/{id}"),
    ("PATCH", "/clips/{id}"),
    ("POST", "/clips/{id}/cancel"),
    ("POST", "/clips/{id}/retry"),
    ("DELETE", "/clips/{id}"),
    ("GET", "/jobs/{id}"),
]


@pytest.fixture
def container(tmp_path: Path) -> Container:
    return memory_container(tmp_path, CLIPNET_MAX_REQUEST_BYTES="4096")


def assert_problem(response: object, *statuses: int) -> dict[str, object]:
    status = response.status_code  # type: ignore[attr-defined]
    assert status in statuses, response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"].startswith(PROBLEM)  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert body["status"] == status and body["type"].startswith("/problems/")
    assert body.get("detail"), "a problem says why"
    return body  # type: ignore[no-any-return]


def wrong_types(body: dict[str, object]) -> dict[str, object]:
    return {k: ([1, 2] if isinstance(v, str) else "not a number") for k, v in body.items()}


@pytest.mark.parametrize(("method", "path", "body"), JSON_ROUTES)
def test_wrong_types_are_a_400_naming_the_field(
    client: TestClient[Litestar], alice: ApiUser, method: str, path: str, body: dict[str, object]
) -> None:
    response = client.request(method, path, json=wrong_types(body), headers=alice.headers)
    problem = assert_problem(response, 400)
    assert problem["type"] == "/problems/validation-failed"


@pytest.mark.parametrize(("method", "path", "body"), JSON_ROUTES)
def test_unknown_fields_are_refused(
    client: TestClient[Litestar], alice: ApiUser, method: str, path: str, body: dict[str, object]
) -> None:
    response = client.request(method, path, json={**body, "is_admin": True}, headers=alice.headers)
    problem = assert_problem(response, 400)
    assert "is_admin" in str(problem["errors"])


@pytest.mark.parametrize(("method", "path", "body"), JSON_ROUTES)
def test_a_huge_body_is_413(
    client: TestClient[Litestar], alice: ApiUser, method: str, path: str, body: dict[str, object]
) -> None:
    huge = {**body, "padding": "x" * 10_000}
    response = client.request(method, path, json=huge, headers=alice.headers)
    assert_problem(response, 413)


@pytest.mark.parametrize(("method", "path", "body"), JSON_ROUTES)
def test_broken_json_and_empty_bodies_are_400(
    client: TestClient[Litestar], alice: ApiUser, method: str, path: str, body: dict[str, object]
) -> None:
    headers = {**alice.headers, "Content-Type": "application/json"}
    assert_problem(client.request(method, path, content=b'{"email": ', headers=headers), 400)
    assert_problem(client.request(method, path, content=b"[]", headers=headers), 400)


@pytest.mark.parametrize(("method", "path"), ID_ROUTES)
@pytest.mark.parametrize("bad_id", ["x" * 65, "has space", "semi;colon", "dot.dot", "%00"])
def test_malformed_ids_are_400_and_unknown_ids_404(
    client: TestClient[Litestar], alice: ApiUser, method: str, path: str, bad_id: str
) -> None:
    kwargs = {"json": {"title": "t"}} if method == "PATCH" else {}
    malformed = client.request(method, path.format(id=bad_id), headers=alice.headers, **kwargs)
    assert_problem(malformed, 400, 404)
    unknown = client.request(method, path.format(id="unknown-id"), headers=alice.headers, **kwargs)
    assert_problem(unknown, 404)


@pytest.mark.parametrize(
    "query",
    [
        "limit=0",
        "limit=abc",
        "limit=100000",
        "min_score=-1",
        "min_score=lots",
        "status=bogus",
        "after=" + "x" * 100,
        "source_id=a%20b",
    ],
)
def test_bad_list_queries_are_400(client: TestClient[Litestar], alice: ApiUser, query: str) -> None:
    assert_problem(client.get(f"/clips/?{query}", headers=alice.headers), 400)


@pytest.mark.parametrize(
    "body",
    [
        {"source_id": "s", "mode": "sideways"},
        {"source_id": "s", "mode": "auto", "count": 0},
        {"source_id": "s", "mode": "auto", "count": 11},
        {"source_id": "s", "start": -1, "end": 5},
        {"source_id": "", "start": 0, "end": 5},
        {"source_id": "s", "start": 0, "end": 5, "title": "t" * 201},
    ],
)
def test_out_of_range_clip_requests_are_400(
    client: TestClient[Litestar], alice: ApiUser, body: dict[str, object]
) -> None:
    assert_problem(client.post("/clips/", json=body, headers=alice.headers), 400)


def test_an_unknown_oauth_provider_or_route_is_a_problem_too(
    client: TestClient[Litestar], alice: ApiUser
) -> None:
    assert_problem(client.post("/oauth/myspace/start", headers=alice.headers), 400)
    assert_problem(client.post("/oauth/twitch/start", headers=alice.headers), 404)  # not set up
    assert_problem(client.get("/no/such/route"), 404)
    assert_problem(client.put("/clips/", headers=alice.headers), 405)


def test_nothing_was_stored_by_any_of_it(
    client: TestClient[Litestar], container: Container, alice: ApiUser
) -> None:
    for method, path, body in JSON_ROUTES:
        client.request(method, path, json={**body, "extra": 1}, headers=alice.headers)
    assert client.get("/sources/", headers=alice.headers).json()["items"] == []
    assert client.get("/clips/", headers=alice.headers).json()["items"] == []
