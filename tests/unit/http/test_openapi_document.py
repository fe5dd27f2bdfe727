"""The OpenAPI document says what the server does: the bounds it checks, the operations it
serves (the signed webhooks too), and the docs pages that render it work offline."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import jsonschema_rs  # what schemathesis validates with
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from litestar import Litestar
from litestar.testing import TestClient

from tests.unit.http.conftest import ApiUser


def document(client: TestClient[Litestar]) -> dict[str, Any]:
    response = client.get("/schema/openapi.json")
    assert response.status_code == 200
    return dict(response.json())


def parameter(doc: dict[str, Any], path: str, method: str, name: str) -> dict[str, Any]:
    (found,) = [p for p in doc["paths"][path][method]["parameters"] if p["name"] == name]
    return dict(found)


# -- min_score: the schema's bounds are the server's -------------------------------------------


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=st.floats(allow_nan=False, allow_infinity=False))
@example(value=-4.2e307)  # schemathesis' ST202: the schema took it as valid, the server did not
@example(value=0.0)
@example(value=100.0)
@example(value=100.000001)
@example(value=-0.0)
def test_the_server_accepts_a_min_score_exactly_when_the_schema_does(
    client: TestClient[Litestar], alice: ApiUser, value: float
) -> None:
    schema = parameter(document(client), "/clips", "get", "min_score")["schema"]
    valid = jsonschema_rs.Draft202012Validator(schema).is_valid(value)
    response = client.get("/clips/", params={"min_score": repr(value)}, headers=alice.headers)
    assert response.status_code == (200 if valid else 400), (value, response.text)
    assert valid == (0 <= value <= 100)


def test_the_min_score_bounds_sit_in_the_number_branch_of_its_schema(
    client: TestClient[Litestar],
) -> None:
    schema = parameter(document(client), "/clips", "get", "min_score")["schema"]
    number = next(s for s in schema["oneOf"] if s["type"] == "number")
    assert (number["minimum"], number["maximum"]) == (0, 100)


# -- the docs pages work offline -----------------------------------------------------------------


class _References(HTMLParser):
    """Every URL a page makes the browser load: scripts, stylesheets, icons, images."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        for name in ("src", "href"):
            if tag in ("script", "link", "img", "iframe") and found.get(name):
                self.urls.append(str(found[name]))


def loaded_urls(page: str) -> list[str]:
    parser = _References()
    parser.feed(page)
    return parser.urls


@pytest.mark.parametrize("path", ["/schema", "/schema/swagger"])
def test_the_docs_pages_load_only_same_origin_assets_and_each_is_served(
    client: TestClient[Litestar], path: str
) -> None:
    page = client.get(path)
    assert page.status_code == 200 and "SwaggerUIBundle(" in page.text
    urls = loaded_urls(page.text)
    assert len(urls) >= 3  # the bundle, the preset, the stylesheet (and the icon)
    head = page.text.split("<body>")[0]
    assert "https:" not in head and "http:" not in head and "cdn" not in page.text
    for url in urls:
        parts = urlsplit(url)
        assert (parts.scheme, parts.netloc) == ("", ""), url  # same origin
        served = client.get(url)
        assert served.status_code == 200, url
        assert served.content, url
        if url.endswith(".js"):
            assert served.headers["content-type"].startswith("text/javascript")
            assert b"SwaggerUI" in served.content
        if url.endswith(".css"):
            assert served.headers["content-type"].startswith("text/css")


def test_only_the_pages_own_assets_are_served(client: TestClient[Litestar]) -> None:
    assert client.get("/schema/assets/index.html").status_code == 404
    assert client.get("/schema/assets/swagger-initializer.js").status_code == 404
    assert client.get("/schema/assets/..%2F__init__.py").status_code == 404


# -- ClipBOT's webhooks are documented, with their signature headers ----------------------------


@pytest.mark.parametrize(
    ("path", "method", "headers", "answers"),
    [
        (
            "/bot/twitch",
            "post",
            {
                "Twitch-Eventsub-Message-Id",
                "Twitch-Eventsub-Message-Timestamp",
                "Twitch-Eventsub-Message-Signature",
                "Twitch-Eventsub-Message-Type",
            },
            {"200", "204", "403"},
        ),
        ("/bot/discord", "post", {"X-Signature-Ed25519", "X-Signature-Timestamp"}, {"200", "401"}),
        ("/bot/x", "post", {"x-twitter-webhooks-signature"}, {"200", "403"}),
    ],
)
def test_each_signed_webhook_is_documented_with_its_signature_headers_body_and_answers(
    client: TestClient[Litestar], path: str, method: str, headers: set[str], answers: set[str]
) -> None:
    operation = document(client)["paths"][path][method]
    documented = {p["name"] for p in operation["parameters"] if p["in"] == "header"}
    assert documented == headers
    assert all(p["required"] for p in operation["parameters"] if p["in"] == "header")
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body["type"] == "object" and body["required"]
    assert answers <= set(operation["responses"]) and "503" in operation["responses"]
    assert operation["security"] == []  # the platform signs it; no bearer token


def test_the_x_crc_check_is_documented_with_its_token_and_answer(
    client: TestClient[Litestar],
) -> None:
    operation = document(client)["paths"]["/bot/x"]["get"]
    assert [p["name"] for p in operation["parameters"]] == ["crc_token"]
    answer = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert answer["required"] == ["response_token"]


@pytest.mark.parametrize(
    ("path", "method", "answers"),
    [
        ("/clips/{clip_id}/posts", "post", {"202", "200", "404", "409", "422"}),
        ("/clips/{clip_id}/posts", "get", {"200", "404"}),
        ("/clips/{clip_id}/posts/{post_id}", "delete", {"204", "404", "409"}),
        ("/clips/{clip_id}/approve", "post", {"200", "404", "409"}),
        ("/clips/{clip_id}/reject", "post", {"200", "404", "409"}),
    ],
)
def test_publishing_and_review_are_documented_with_their_answers(
    client: TestClient[Litestar], path: str, method: str, answers: set[str]
) -> None:
    operation = document(client)["paths"][path][method]
    assert answers <= set(operation["responses"])
    assert operation["security"]  # a bearer token, like every clip route


def test_the_post_body_and_the_trim_fields_are_in_the_document(
    client: TestClient[Litestar],
) -> None:
    schemas = document(client)["components"]["schemas"]
    create = next(v for k, v in schemas.items() if k.endswith("PostCreate"))
    assert create["required"] == ["platform"]
    assert set(create["properties"]) == {
        "platform",
        "privacy",
        "publish_at",
        "title",
        "description",
        "again",
    }
    post = next(v for k, v in schemas.items() if k.endswith("PostOut"))
    assert set(post["properties"]["status"]["enum"]) == {
        "scheduled",
        "pending",
        "posting",
        "posted",
        "failed",
        "cancelled",
    }
    update = next(v for k, v in schemas.items() if k.endswith("ClipUpdate"))
    assert {"start", "end"} <= set(update["properties"])
