"""User B gets 404 — not 403, not data — for each of user A's objects on every route that
takes an id, and A's objects are unchanged afterwards. Admins see everyone's."""

from __future__ import annotations

from pathlib import Path

import pytest
from dependency_injector import providers
from litestar import Litestar
from litestar.testing import TestClient

from clipnet.adapters.memory.queue import RecordingJobQueue
from clipnet.container import Container
from clipnet.domain.shared.access import Role
from tests.unit.http.conftest import ApiUser, memory_container

#: (method, path template, JSON body) for every route that takes an object id.
ROUTES_WITH_IDS = [
    ("GET", "/sources/{source}", None),
    ("DELETE", "/sources/{source}", None),
    ("GET", "/clips/{clip}", None),
    ("PATCH", "/clips/{clip}", {"title": "mine now"}),
    ("POST", "/clips/{clip}/cancel", None),
    ("POST", "/clips/{clip}/retry", None),
    ("POST", "/clips/{clip}/share", None),
    ("DELETE", "/clips/{clip}/share", None),
    ("DELETE", "/clips/{clip}", None),
    ("GET", "/jobs/{job}", None),
    ("POST", "/clips/", {"source_id": "{source}", "start": 0, "end": 10}),
    ("POST", "/clips/", {"source_id": "{source}", "mode": "auto", "count": 1}),
    ("GET", "/clips/?source_id={source}", None),
]


@pytest.fixture
def container(tmp_path: Path) -> Container:
    container = memory_container(tmp_path)
    container.queue.override(providers.Singleton(RecordingJobQueue))
    return container


@pytest.fixture
def alices_objects(container: Container, alice: ApiUser) -> dict[str, str]:
    source = alice.source()
    clip = alice.clip(source)
    job = container.queue().jobs[0].id
    return {"source": source, "clip": clip, "job": job}


def fill(template: object, ids: dict[str, str]) -> object:
    if isinstance(template, str):
        return template.format(**ids)
    if isinstance(template, dict):
        return {k: fill(v, ids) for k, v in template.items()}
    return template


@pytest.mark.parametrize(("method", "path", "body"), ROUTES_WITH_IDS)
def test_another_users_object_does_not_exist_for_you(
    client: TestClient[Litestar],
    alice: ApiUser,
    bob: ApiUser,
    alices_objects: dict[str, str],
    method: str,
    path: str,
    body: object,
) -> None:
    before = client.get(f"/clips/{alices_objects['clip']}", headers=alice.headers).json()
    response = client.request(
        method,
        str(fill(path, alices_objects)),
        json=fill(body, alices_objects),
        headers=bob.headers,
    )
    if path.startswith("/clips/?"):  # a filtered list shows none of them rather than a 404
        assert response.status_code == 200 and response.json()["items"] == []
    else:
        assert response.status_code == 404, response.text
        problem = response.json()
        assert problem["type"] == "/problems/not-found"
        assert set(problem) == {"type", "title", "status", "detail"}  # nothing of the object
        assert "not found" in problem["detail"]
    after = client.get(f"/clips/{alices_objects['clip']}", headers=alice.headers).json()
    assert after == before


def test_nobody_else_sees_your_sources_or_clips_in_lists(
    client: TestClient[Litestar], alice: ApiUser, bob: ApiUser, alices_objects: dict[str, str]
) -> None:
    assert client.get("/sources/", headers=bob.headers).json()["items"] == []
    assert client.get("/clips/", headers=bob.headers).json()["items"] == []


def test_an_admin_sees_and_changes_everyones_clips(
    client: TestClient[Litestar],
    container: Container,
    alice: ApiUser,
    alices_objects: dict[str, str],
) -> None:
    admin = ApiUser(client, "operator")
    with container.uow_factory()() as uow:
        user = uow.users.get(admin.id)
        user.role = Role.ADMIN
        uow.users.update(user)
        uow.commit()
    admin.tokens = client.post(
        "/auth/login", json={"email": admin.email, "password": admin.password}
    ).json()
    clip = alices_objects["clip"]
    assert client.get(f"/clips/{clip}", headers=admin.headers).status_code == 200
    assert client.get(f"/jobs/{alices_objects['job']}", headers=admin.headers).status_code == 200
    listed = client.get("/clips/", headers=admin.headers).json()["items"]
    assert [c["id"] for c in listed] == [clip]
    assert client.post(f"/clips/{clip}/cancel", headers=admin.headers).status_code == 200
