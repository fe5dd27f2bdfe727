"""The studio's files are served by the API on every profile (``/`` and ``/studio/*``), every
module the page imports is there, and ``CLIPNET_CORS_ORIGINS`` lets a studio hosted on its
own origin call the API from a browser (and no other origin)."""

from __future__ import annotations

import re
from pathlib import Path

from litestar import Litestar
from litestar.testing import TestClient

from clipnet.entrypoints.http import create_app
from clipnet.entrypoints.http.routes.studio import studio_folder
from tests.unit.http.conftest import memory_container

IMPORT = re.compile(r"""(?:import|from)\s*(?:[^"';]*?\sfrom\s*)?["'](\.{1,2}/[^"']+)["']""")


def imported_modules(client: TestClient[Litestar], entry: str) -> set[str]:
    """Every module reachable from ``entry`` by relative imports, fetched over HTTP."""
    seen: set[str] = set()
    todo = [entry]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith("text/javascript"), path
        base = path.rsplit("/", 1)[0]
        for target in IMPORT.findall(response.text):
            parts = f"{base}/{target}".split("/")
            resolved: list[str] = []
            for part in parts:
                if part == "..":
                    resolved.pop()
                elif part != ".":
                    resolved.append(part)
            todo.append("/".join(resolved))
    return seen


def test_the_studio_page_and_every_module_it_imports_are_served(
    client: TestClient[Litestar],
) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert '<script type="module" src="/studio/main.js">' in page.text
    assert client.get("/studio/studio.css").headers["content-type"].startswith("text/css")
    served = imported_modules(client, "/studio/main.js")
    shipped = {
        "/studio/" + p.relative_to(studio_folder()).as_posix()
        for p in studio_folder().rglob("*.js")
    }
    assert served == shipped  # no module missing, none left unused


def test_a_missing_studio_file_is_a_404_problem(client: TestClient[Litestar]) -> None:
    response = client.get("/studio/pages/nothing.js")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_the_studio_uses_no_third_party_origin() -> None:
    for file in studio_folder().rglob("*"):
        if file.is_file():
            text = file.read_text("utf-8")
            assert not re.search(r"""(?:src|href)=["']https?://""", text), file
            assert not re.search(r"""import[^;]*["']https?://""", text), file


def test_cors_origins_let_a_separately_hosted_studio_call_the_api(tmp_path: Path) -> None:
    app = create_app(memory_container(tmp_path, CLIPNET_CORS_ORIGINS="https://studio.example"))
    preflight = {
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization",
    }
    with TestClient(app) as client:
        allowed = client.options(
            "/auth/me", headers={"Origin": "https://studio.example", **preflight}
        )
        other = client.options("/auth/me", headers={"Origin": "https://evil.example", **preflight})
    assert allowed.headers.get("access-control-allow-origin") == "https://studio.example"
    assert "access-control-allow-origin" not in other.headers
