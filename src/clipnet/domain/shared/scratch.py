"""Scratch folders that say which process owns them, so a later start can remove stale ones.

Every temporary folder ClipNET makes is ``clipnet-<pid>.<start>-<purpose>-<random>`` in the
system temp folder (or a given one): ``<pid>`` and ``<start>`` (the process's start time, from
``/proc`` on Linux, else 0) name the owner. A process killed with SIGKILL leaves its folders
behind; :func:`sweep_stale_scratch`, run when a worker or ``clipnet clip`` starts, removes the
folders whose owner is gone. The start time tells a reused PID from the owner (in a container
a restarted worker often gets the same PID).

Files copied into place (local storage) are written first as
``.clipnet-partial-<pid>.<start>-<random>`` beside their final name; the next write into that
folder removes those whose writer is gone (:func:`sweep_stale_partials`).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from functools import cache
from pathlib import Path

PREFIX = "clipnet-"
_OWNED = re.compile(rf"^{PREFIX}(\d+)\.(\d+)-")
PARTIAL = ".clipnet-partial-"
"""Files being written beside their final name start with this, then the writer's owner tag."""
_PARTIAL_OWNED = re.compile(rf"^{re.escape(PARTIAL)}(\d+)\.(\d+)-")


@contextlib.contextmanager
def scratch_folder(purpose: str = "work", parent: Path | None = None) -> Iterator[Path]:
    """A new empty folder for the ``with`` block, removed when it ends."""
    prefix = f"{PREFIX}{owner_tag()}-{purpose}-"
    with tempfile.TemporaryDirectory(prefix=prefix, dir=parent) as name:
        yield Path(name)


def owner_tag() -> str:
    """``<pid>.<start>`` of this process."""
    pid = os.getpid()
    return f"{pid}.{_my_start(pid)}"


def sweep_stale_scratch(parent: Path | None = None) -> list[Path]:
    """Remove the scratch folders in ``parent`` (default: the temp folder) whose owner has
    exited; folders of live processes (another worker, the API) stay. Returns those removed."""
    folder = Path(parent) if parent is not None else Path(tempfile.gettempdir())
    removed = []
    with contextlib.suppress(OSError):
        for entry in folder.iterdir():
            owned = _OWNED.match(entry.name)
            if owned is None or not entry.is_dir() or entry.is_symlink():
                continue
            if _alive(int(owned[1]), owned[2]):
                continue
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


def partial_prefix() -> str:
    """The start of the name of a file this process writes before moving it into place."""
    return f"{PARTIAL}{owner_tag()}-"


def sweep_stale_partials(folder: Path) -> list[Path]:
    """Remove the half-written files in ``folder`` (named with :func:`partial_prefix`) whose
    writer has exited: one killed while copying leaves its partial file behind."""
    removed = []
    with contextlib.suppress(OSError):
        for entry in Path(folder).iterdir():
            owned = _PARTIAL_OWNED.match(entry.name)
            if owned is None or not entry.is_file() or _alive(int(owned[1]), owned[2]):
                continue
            with contextlib.suppress(FileNotFoundError):  # another sweep was first
                entry.unlink()
                removed.append(entry)
    return removed


def _alive(pid: int, start: str) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # someone else's process: it exists
    return start == "0" or _start_of(pid) in {start, "0"}


@cache
def _my_start(pid: int) -> str:  # keyed by PID: a forked child has its own
    return _start_of(pid)


def _start_of(pid: int) -> str:
    """The process's start time in clock ticks since boot (field 22 of /proc/PID/stat)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return "0"
    # The command name (field 2) may hold spaces and parentheses: split after its last ")".
    fields = stat.rsplit(")", 1)[-1].split()
    return fields[19] if len(fields) > 19 else "0"
