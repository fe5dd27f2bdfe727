"""Declaring settings as attrs fields read from ``CLIPNET_*`` environment variables.

Each field names its variable, how to parse it, a default (possibly depending on the
profile and data directory) and whether it is a secret to mask when printed.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import attrs

T = TypeVar("T")


class ConfigError(Exception):
    """A setting is missing or malformed. The message names the environment variable."""


class Profile(enum.StrEnum):
    EMBEDDED = "embedded"
    STAGING = "staging"
    PRODUCTION = "production"


@attrs.frozen
class Context:
    """What profile-dependent defaults may depend on."""

    profile: Profile
    data_dir: Path


REQUIRED = object()
"""Default for a setting that has no default: leaving it unset fails at start."""


def setting(
    env: str,
    default: Any = REQUIRED,
    *,
    parse: Callable[[str], Any] = str,
    default_for: Callable[[Context], Any] | None = None,
    secret: bool = False,
    doc: str = "",
) -> Any:
    return attrs.field(
        metadata={
            "env": env,
            "default": default,
            "parse": parse,
            "default_for": default_for,
            "secret": secret,
            "doc": doc,
        }
    )


def load_section(cls: type[T], env: Mapping[str, str], context: Context) -> T:
    """Build settings class ``cls`` from ``env``; a bad value raises :class:`ConfigError`."""
    values: dict[str, Any] = {}
    for field in attrs.fields(cls):  # type: ignore[arg-type]
        meta = field.metadata
        name = meta["env"]
        raw = env.get(name, "").strip()
        if raw:
            try:
                values[field.name] = meta["parse"](raw)
            except (ValueError, TypeError) as error:
                raise ConfigError(f"{name}: {error} (got {raw!r})") from None
        elif meta["default_for"] is not None:
            values[field.name] = meta["default_for"](context)
        elif meta["default"] is not REQUIRED:
            values[field.name] = meta["default"]
        else:
            raise ConfigError(f"{name} must be set for the {context.profile.value} profile")
        if values[field.name] is REQUIRED:
            raise ConfigError(f"{name} must be set for the {context.profile.value} profile")
    return cls(**values)


def describe_section(section: object) -> list[tuple[str, str, str]]:
    """(variable, value as text with secrets masked, doc) for each field of ``section``."""
    rows = []
    for field in attrs.fields(type(section)):  # type: ignore[arg-type]
        value = getattr(section, field.name)
        text = _text(value)
        if (field.metadata["secret"] or "://" in text) and text:
            text = mask(text)  # URLs keep all but their password
        rows.append((field.metadata["env"], text, field.metadata["doc"]))
    return rows


def _text(value: Any) -> str:
    if isinstance(value, tuple | list):
        return ",".join(map(str, value))
    if isinstance(value, enum.Enum):
        return str(value.value)
    return "" if value is None else str(value)


def mask(text: str) -> str:
    """Hide a secret, and the password part of a URL, keeping enough to recognise it."""
    if "://" in text:
        password = urlsplit(text).password
        return text.replace(f":{password}@", ":****@") if password else text
    return "****" if len(text) <= 8 else f"{text[:2]}****{text[-2:]}"


# -- parsers --------------------------------------------------------------------------------------


def as_int(minimum: int | None = None) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        try:
            value = int(raw)
        except ValueError:
            raise ValueError("expected a whole number") from None
        if minimum is not None and value < minimum:
            raise ValueError(f"must be at least {minimum}")
        return value

    return parse


def as_float(minimum: float | None = None) -> Callable[[str], float]:
    def parse(raw: str) -> float:
        try:
            value = float(raw)
        except ValueError:
            raise ValueError("expected a number") from None
        if minimum is not None and value < minimum:
            raise ValueError(f"must be at least {minimum}")
        return value

    return parse


def as_bool(raw: str) -> bool:
    lowered = raw.lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ValueError("expected true or false")


def as_enum(kind: type[enum.Enum]) -> Callable[[str], Any]:
    def parse(raw: str) -> Any:
        try:
            return kind(raw.lower())
        except ValueError:
            allowed = ", ".join(str(m.value) for m in kind)
            raise ValueError(f"expected one of {allowed}") from None

    return parse


def as_choice(*choices: str) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        if raw.lower() not in choices:
            raise ValueError(f"expected one of {', '.join(choices)}")
        return raw.lower()

    return parse


def as_url(*schemes: str) -> Callable[[str], str]:
    """A URL whose scheme is one of ``schemes`` (prefix match, so ``postgresql`` admits
    ``postgresql+psycopg``)."""

    def parse(raw: str) -> str:
        parts = urlsplit(raw)
        scheme = parts.scheme.lower()
        if not scheme or not any(scheme == s or scheme.startswith(s + "+") for s in schemes):
            raise ValueError(
                f"expected a URL starting with {' or '.join(s + '://' for s in schemes)}"
            )
        if scheme.split("+")[0] not in {"sqlite", "memory", "file"} and not parts.hostname:
            raise ValueError("the URL names no host")
        return raw

    return parse


def as_path(raw: str) -> Path:
    return Path(raw).expanduser()


def as_list(raw: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in raw.split(",") if item.strip())
