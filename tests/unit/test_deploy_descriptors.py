"""The deploy descriptors (docs/deploy.md) checked without a Docker daemon.

This machine's docker client has no compose plugin, so ``docker compose config`` cannot run
here; instead the Dockerfiles are parsed into instructions and compose.yaml, railway.json and
the Procfile are read and checked against each other and against ClipNET itself: every
CLIPNET_* variable they set is a real setting, every health path a real route, every command a
real ``clipnet`` command, every file they copy exists.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import attrs
import pytest
import yaml

from clipnet.entrypoints.cli import app as cli_app
from clipnet.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]
ENTRYPOINT = ROOT / "deploy" / "entrypoint.sh"
SECRET_WORDS = ("KEY", "SECRET", "TOKEN", "PASSWORD")


@attrs.frozen
class Instruction:
    keyword: str
    arguments: str


def dockerfile(path: Path) -> list[Instruction]:
    """The instructions of a Dockerfile: comments dropped, continued lines joined."""
    instructions: list[Instruction] = []
    pending = ""
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        keyword, _, arguments = (pending + line).partition(" ")
        instructions.append(Instruction(keyword.upper(), arguments.strip()))
        pending = ""
    assert not pending, f"{path}: a continued line never ends"
    return instructions


def stages(instructions: list[Instruction]) -> list[list[Instruction]]:
    """The build stages, each starting with its FROM."""
    found: list[list[Instruction]] = []
    for instruction in instructions:
        if instruction.keyword == "FROM":
            found.append([])
        elif not found:
            assert instruction.keyword == "ARG", "only ARG may come before the first FROM"
            continue
        found[-1].append(instruction)
    return found


def env_of(stage: list[Instruction]) -> dict[str, str]:
    """Variables an ENV sets in ``stage`` (the KEY=VALUE form)."""
    variables: dict[str, str] = {}
    for instruction in stage:
        if instruction.keyword == "ENV":
            for pair in shlex.split(instruction.arguments):
                name, _, value = pair.partition("=")
                variables[name] = value
    return variables


def exec_form(instruction: Instruction) -> list[str]:
    value = json.loads(instruction.arguments)
    assert isinstance(value, list), f"{instruction.keyword} should be in exec form"
    return [str(v) for v in value]


def setting_names() -> set[str]:
    settings = load_settings({"CLIPNET_DATABASE_URL": "memory://"})
    return {name for name, _, _ in settings.describe()}


def clipnet_commands() -> set[str]:
    commands = {c.name or c.callback.__name__ for c in cli_app.registered_commands if c.callback}
    return commands | {g.name for g in cli_app.registered_groups if g.name}


def app_paths() -> set[str]:
    from clipnet.container import build_container
    from clipnet.entrypoints.http import create_app

    container = build_container(
        load_settings({"CLIPNET_DATABASE_URL": "memory://", "CLIPNET_QUEUE": "memory"})
    )
    return {route.path for route in create_app(container).routes}


def secret_settings() -> set[str]:
    """The settings declared ``secret=True``."""
    settings = load_settings({"CLIPNET_DATABASE_URL": "memory://"})
    sections = [getattr(settings, f.name) for f in attrs.fields(type(settings))]
    return {
        field.metadata["env"]
        for section in sections
        if attrs.has(type(section))
        for field in attrs.fields(type(section))
        if field.metadata.get("secret")
    }


def looks_secret(name: str) -> bool:
    return name in secret_settings() or any(word in name for word in SECRET_WORDS)


# -- the API and worker image ---------------------------------------------------------------------


def test_the_image_runs_as_an_unprivileged_user_with_ffmpeg_and_a_health_probe() -> None:
    *_, run = stages(dockerfile(ROOT / "Dockerfile"))
    keywords = [i.keyword for i in run]
    users = [i.arguments for i in run if i.keyword == "USER"]
    assert users and users[-1] not in {"root", "0"}, "the final stage must not run as root"
    installs = " ".join(i.arguments for i in run if i.keyword == "RUN")
    assert re.search(r"apt-get install[^&]*\bffmpeg\b", installs), "FFmpeg comes from Debian"
    [health] = [i.arguments for i in run if i.keyword == "HEALTHCHECK"]
    assert "/health/live" in health and "/health/live" in app_paths()
    assert keywords.index("USER") < keywords.index("ENTRYPOINT")


def test_every_stage_starts_from_python_slim_and_adds_no_url() -> None:
    for path in (ROOT / "Dockerfile", ROOT / "deploy" / "runpod" / "Dockerfile"):
        instructions = dockerfile(path)
        default_base = next(
            i.arguments.partition("=")[2]
            for i in instructions
            if i.keyword == "ARG" and i.arguments.startswith("PYTHON_IMAGE=")
        )
        assert re.fullmatch(r"python:3\.1[1-9]-slim-\w+", default_base), default_base
        froms = [i.arguments for i in instructions if i.keyword == "FROM"]
        assert all(f.split()[0] in {"${PYTHON_IMAGE}", "build"} for f in froms), froms
        for instruction in instructions:
            assert not (instruction.keyword == "ADD" and "://" in instruction.arguments), (
                f"{path.name}: ADD of a URL (unverified download): {instruction.arguments}"
            )


@pytest.mark.parametrize("path", ["Dockerfile", "deploy/runpod/Dockerfile"])
def test_no_secret_is_baked_into_an_image(path: str) -> None:
    instructions = dockerfile(ROOT / path)
    names = set()
    for stage in stages(instructions):
        names |= set(env_of(stage))
    names |= {i.arguments.partition("=")[0] for i in instructions if i.keyword == "ARG"}
    assert not [n for n in names if looks_secret(n)], "secrets come from the environment"
    clipnet_names = {n for n in names if n.startswith("CLIPNET_")}
    assert clipnet_names <= setting_names(), clipnet_names - setting_names()


def test_every_file_an_image_copies_is_in_the_repository() -> None:
    for path in (ROOT / "Dockerfile", ROOT / "deploy" / "runpod" / "Dockerfile"):
        for instruction in dockerfile(path):
            if instruction.keyword != "COPY" or "--from=" in instruction.arguments:
                continue
            *sources, _ = instruction.arguments.split()
            for source in sources:
                assert (ROOT / source).exists(), f"{path.name} copies missing {source}"


def fake_clipnet(tmp_path: Path) -> dict[str, str]:
    """A PATH whose ``clipnet`` prints the arguments it was given."""
    fake = tmp_path / "clipnet"
    fake.write_text('#!/bin/sh\necho "clipnet $*"\n')
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    return {"PATH": f"{tmp_path}:{os.environ['PATH']}"}


@pytest.mark.parametrize(
    ("arguments", "env", "expected"),
    [
        ([], {}, "clipnet serve --host 0.0.0.0 --port 8000"),
        (["api"], {"PORT": "4321"}, "clipnet serve --host 0.0.0.0 --port 4321"),
        (["api"], {"CLIPNET_HOST": "127.0.0.1"}, "clipnet serve --host 127.0.0.1 --port 8000"),
        (["worker"], {}, "clipnet worker"),
        (["migrate"], {}, "clipnet db upgrade"),
        (["clipnet", "jobs", "list"], {}, "clipnet jobs list"),
    ],
)
def test_the_entrypoint_chooses_the_role(
    arguments: list[str], env: dict[str, str], expected: str, tmp_path: Path
) -> None:
    assert os.access(ENTRYPOINT, os.X_OK), "the entrypoint must be executable"
    base = {k: v for k, v in os.environ.items() if k not in {"PORT", "CLIPNET_HOST"}}
    result = subprocess.run(
        [str(ENTRYPOINT), *arguments],
        env={**base, **fake_clipnet(tmp_path), **env},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == expected
    assert {"serve", "worker", "db"} <= clipnet_commands()


# -- the GPU inference server's image -------------------------------------------------------------


def fetch_models_module() -> Any:
    sys.path.insert(0, str(ROOT / "deploy" / "runpod"))
    try:
        import fetch_models

        return fetch_models
    finally:
        sys.path.pop(0)


def test_the_inference_image_fetches_every_model_at_build_time_and_runs_offline() -> None:
    build, models, run = stages(dockerfile(ROOT / "deploy" / "runpod" / "Dockerfile"))
    assert any(i.keyword == "RUN" and ".[inference]" in i.arguments for i in build)
    [fetch] = [
        i.arguments for i in models if i.keyword == "RUN" and "fetch_models.py" in i.arguments
    ]
    fetched = dict(re.findall(r'"(\w+)=\$\{(\w+)\}"', fetch))
    assert set(fetched) == {"whisper", "blip", "clip"}
    assert set(fetched) == set(fetch_models_module().REQUIRED_FILES)
    env = env_of(run)
    # the server loads each model from the folder the build step filled, never from a hub
    assert env["CLIPNET_WHISPER_MODEL"] == "/models/whisper"
    assert env["CLIPNET_BLIP_MODEL"] == "/models/blip"
    assert env["CLIPNET_CLIP_MODEL"] == "/models/clip"
    assert env["HF_HUB_OFFLINE"] == "1" and env["TRANSFORMERS_OFFLINE"] == "1"
    copies = [i.arguments for i in run if i.keyword == "COPY"]
    assert "--from=models /models /models" in copies
    [cmd] = [i for i in run if i.keyword == "CMD"]
    assert exec_form(cmd) == ["python", "-m", "clipnet.entrypoints.inference"]
    users = [i.arguments for i in run if i.keyword == "USER"]
    assert users and users[-1] not in {"root", "0"}


def test_the_model_fetcher_names_a_model_it_does_not_know() -> None:
    fetch_models = fetch_models_module()
    destination, models = fetch_models.parse(["/models", "whisper=Systran/faster-whisper-base"])
    assert (destination, models) == (Path("/models"), {"whisper": "Systran/faster-whisper-base"})
    with pytest.raises(SystemExit, match="got 'llama=meta/llama'"):
        fetch_models.parse(["/models", "llama=meta/llama"])
    with pytest.raises(SystemExit, match="usage"):
        fetch_models.parse(["/models"])


# -- compose.yaml ---------------------------------------------------------------------------------


def compose() -> dict[str, Any]:
    loaded = yaml.safe_load((ROOT / "compose.yaml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def test_compose_starts_the_original_designs_parts() -> None:
    services = compose()["services"]
    assert set(services) == {"postgres", "redis", "migrate", "api", "worker"}
    for name in ("migrate", "api", "worker"):  # one image, three roles
        assert services[name]["image"] == "clipnet:local" and services[name]["build"] == "."
    assert services["migrate"]["command"] == ["migrate"]
    assert services["migrate"]["restart"] == "no"
    assert services["api"]["command"] == ["api"]
    assert services["worker"]["command"] == ["worker"]
    assert str(services["worker"]["deploy"]["replicas"]).startswith("${CLIPNET_WORKERS")
    assert services["api"]["ports"] == ["${CLIPNET_API_PORT:-8000}:8000"]


def test_compose_starts_each_part_only_once_what_it_needs_is_healthy() -> None:
    services = compose()["services"]
    for name, service in services.items():
        for needed, rule in service.get("depends_on", {}).items():
            assert needed in services, f"{name} depends on unknown {needed}"
            condition = rule["condition"]
            if condition == "service_healthy":
                check = services[needed].get("healthcheck", {})
                assert check.get("test") and not check.get("disable"), f"{needed} has no probe"
            else:
                assert condition == "service_completed_successfully"
                assert services[needed]["restart"] == "no", f"{needed} must run once"
    for name in ("api", "worker"):
        assert services[name]["depends_on"] == {
            "postgres": {"condition": "service_healthy"},
            "redis": {"condition": "service_healthy"},
            "migrate": {"condition": "service_completed_successfully"},
        }
    probe = " ".join(services["api"]["healthcheck"]["test"])
    assert "/health/ready" in probe and "/health/ready" in app_paths()


def test_compose_takes_every_secret_from_the_environment() -> None:
    names = setting_names()
    for name, service in compose()["services"].items():
        for variable, value in service.get("environment", {}).items():
            if variable.startswith("CLIPNET_"):
                assert variable in names, f"{name}: {variable} is not a ClipNET setting"
            if looks_secret(variable) and "://" not in str(value):
                assert str(value).startswith("${"), f"{name}: {variable} has a literal value"
            if looks_secret(variable) and "://" in str(value):  # a URL: its password, if any
                assert "@" not in str(value) or ":${" in str(value), f"{name}: {variable}"
        url = service.get("environment", {}).get("CLIPNET_DATABASE_URL", "")
        assert "${POSTGRES_PASSWORD" in url or not url


# -- Railway and the Procfile ---------------------------------------------------------------------


def railway(path: str) -> dict[str, Any]:
    loaded = json.loads((ROOT / path).read_text())
    assert isinstance(loaded, dict)
    return loaded


def test_railway_runs_the_api_and_the_worker_from_the_image() -> None:
    api, worker = railway("railway.json"), railway("deploy/railway/worker.json")
    for config in (api, worker):
        assert config["build"]["builder"] == "DOCKERFILE"
        assert (ROOT / config["build"]["dockerfilePath"]).is_file()
    assert api["deploy"]["startCommand"] == "clipnet-entrypoint api"
    assert api["deploy"]["preDeployCommand"] == ["clipnet-entrypoint migrate"]
    assert api["deploy"]["healthcheckPath"] in app_paths()
    assert worker["deploy"]["startCommand"] == "clipnet-entrypoint worker"
    assert "healthcheckPath" not in worker["deploy"]  # no HTTP server to probe
    assert isinstance(worker["deploy"]["drainingSeconds"], int)


def procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip())


def test_the_procfile_has_a_web_process_on_port_and_a_worker() -> None:
    processes = procfile()
    assert set(processes) == {"web", "worker"}
    web, worker = shlex.split(processes["web"]), shlex.split(processes["worker"])
    assert web[:2] == ["clipnet", "serve"] and "${PORT:-8000}" in web
    assert worker == ["clipnet", "worker"]
    assert {web[1], worker[1]} <= clipnet_commands()
