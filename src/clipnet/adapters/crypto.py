"""Sealing secrets with Fernet (AES-128-CBC + HMAC-SHA256) from the ``cryptography`` package.

MultiFernet lets keys rotate: the first key seals, every key opens.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class FernetSecretBox:
    def __init__(self, keys: Sequence[str | bytes]) -> None:
        if not keys:
            raise ValueError("a secret box needs at least one key")
        self._fernet = MultiFernet([Fernet(k) for k in keys])

    @classmethod
    def ephemeral(cls) -> FernetSecretBox:
        """A box with a fresh random key, for tests and throwaway embedding."""
        return cls([Fernet.generate_key()])

    def seal(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode("ascii")

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode("ascii")).decode()
        except (InvalidToken, UnicodeError) as error:
            raise ValueError("the sealed secret is not valid for these keys") from error

    def rotate(self, sealed: str) -> str:
        """Re-seal with the newest key."""
        return self._fernet.rotate(sealed.encode("ascii")).decode("ascii")


def new_key() -> str:
    return Fernet.generate_key().decode("ascii")


def load_or_create_key_file(path: Path) -> list[str]:
    """Keys from ``path`` (one per line, newest first); a new key file if there is none.

    The embedded profile keeps its sealing key here so that a laptop needs no set-up.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(new_key() + "\n")
        path.chmod(0o600)
    keys = [line.strip() for line in path.read_text().splitlines() if line.strip()]
    if not keys:
        raise ValueError(f"{path} holds no key")
    return keys
