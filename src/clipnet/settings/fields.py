"""Declaring settings as attrs fields read from ``CLIPNET_*`` environment variables.

Each field names its variable, how to parse it, a default (possibly depending on the
profile and data directory) and whether it is a secret to mask when printed.
"""

from __future__ import annotations

import base64
import binascii
import enum
import ipaddress
import string
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

AS_UNSET = object()
"""``empty`` of a setting for which a variable set to the empty string counts as unset."""


def setting(
    env: str,
    default: Any = REQUIRED,
    *,
    parse: Callable[[str], Any] = str,
    default_for: Callable[[Context], Any] | None = None,
    derive: Callable[[Mapping[str, Any]], Any] | None = None,
    secret: bool = False,
    empty: Any = AS_UNSET,
    doc: str = "",
) -> Any:
    """``empty``: the value when the variable is set to the empty string (say, "off" for a
    feature whose default is on); by default an empty variable counts as unset.
    ``derive``: the default made from the section's fields read before this one (by field
    name), for a setting that follows another unless it is set."""
    return attrs.field(
        metadata={
            "env": env,
            "default": default,
            "parse": parse,
            "default_for": default_for,
            "derive": derive,
            "secret": secret,
            "empty": empty,
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
                shown = "a hidden value" if meta["secret"] else repr(raw)
                raise ConfigError(f"{name}: {error} (got {shown})") from None
        elif name in env and meta["empty"] is not AS_UNSET:
            values[field.name] = meta["empty"]
        elif meta["default_for"] is not None:
            values[field.name] = meta["default_for"](context)
        elif meta["derive"] is not None:
            values[field.name] = meta["derive"](values)
        elif meta["default"] is not REQUIRED:
            values[field.name] = meta["default"]
        else:
            raise ConfigError(f"{name} must be set for the {context.profile.value} profile")
        if values[field.name] is REQUIRED:
            raise ConfigError(f"{name} must be set for the {context.profile.value} profile")
    return cls(**values)


def check_section(section: object) -> None:
    """The section's rules between fields (its ``check``), once every field has been read,
    so that a missing or malformed field is reported first. Raises :class:`ConfigError`."""
    check = getattr(section, "check", None)
    if check is not None:
        check()


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


HIDDEN = "set (hidden)"


def mask(text: str) -> str:
    """Hide a secret entirely, and the password part of a URL (no character of either shows)."""
    if "://" in text:
        password = urlsplit(text).password
        return text.replace(f":{password}@", ":****@") if password else text
    return HIDDEN


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


def as_float(minimum: float | None = None, maximum: float | None = None) -> Callable[[str], float]:
    def parse(raw: str) -> float:
        try:
            value = float(raw)
        except ValueError:
            raise ValueError("expected a number") from None
        if minimum is not None and value < minimum:
            raise ValueError(f"must be at least {minimum}")
        if maximum is not None and value > maximum:
            raise ValueError(f"must be at most {maximum}")
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


def as_credentials_url(scheme: str) -> Callable[[str], str]:
    """``scheme://KEY:SECRET@NAME``, all three parts present (as Cloudinary's URL)."""

    def parse(raw: str) -> str:
        parts = urlsplit(raw)
        if parts.scheme.lower() != scheme or not (
            parts.username and parts.password and parts.hostname
        ):
            raise ValueError(f"expected {scheme}://KEY:SECRET@NAME")
        return raw

    return parse


def as_hex_key(size: int) -> Callable[[str], str]:
    """A key of ``size`` bytes written as ``2 * size`` hexadecimal digits."""

    def parse(raw: str) -> str:
        if len(raw) != 2 * size or not all(c in string.hexdigits for c in raw):
            raise ValueError(f"expected {2 * size} hexadecimal characters ({size} bytes)")
        return raw.lower()

    return parse


def as_text(minimum: int = 1, maximum: int = 10_000) -> Callable[[str], str]:
    """Printable ASCII of ``minimum`` to ``maximum`` characters (as a provider demands)."""

    def parse(raw: str) -> str:
        if not minimum <= len(raw) <= maximum or not raw.isascii() or not raw.isprintable():
            raise ValueError(f"expected {minimum} to {maximum} printable ASCII characters")
        return raw

    return parse


def as_fernet_keys(raw: str) -> tuple[str, ...]:
    """Comma-separated Fernet keys: each 32 bytes in URL-safe base64 (44 characters)."""
    keys = as_list(raw)
    for position, key in enumerate(keys, 1):
        try:
            decoded = base64.urlsafe_b64decode(key.encode("ascii"))
        except (binascii.Error, ValueError, UnicodeError):
            decoded = b""
        if len(decoded) != 32:
            raise ValueError(
                f"key {position} is not a Fernet key (32 bytes in URL-safe base64, "
                "as cryptography's Fernet.generate_key() makes)"
            )
    return keys


def as_path(raw: str) -> Path:
    return Path(raw).expanduser()


def as_list(raw: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in raw.split(",") if item.strip())


def as_networks(raw: str) -> tuple[str, ...]:
    """Comma-separated IP addresses or networks (``10.1.2.0/24``), each checked."""
    items = as_list(raw)
    for item in items:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise ValueError(f"{item!r} is not an IP address or network") from None
    return items
