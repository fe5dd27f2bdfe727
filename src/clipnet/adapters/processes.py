"""Child processes that do not outlive their parent (Linux): FFmpeg, and the worker processes
of ``clipnet worker --processes``."""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import os
import signal
import sys
from collections.abc import Callable

_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def die_with_parent(signum: signal.Signals) -> Callable[[], None] | None:
    """A ``preexec_fn`` for the child, between fork and exec: it gets ``signum`` when its
    parent dies (even by SIGKILL); None where Linux's prctl is missing.

    Linux sends it when the *thread* that started the child exits, so start children from a
    thread that lives as long as they should. Everything is looked up before the fork, so the
    child only makes one system call (and checks that the parent did not die before it asked).
    """
    if not sys.platform.startswith("linux"):
        return None
    prctl = _libc_prctl()
    if prctl is None:
        return None
    parent = os.getpid()

    def arm() -> None:
        prctl(_PR_SET_PDEATHSIG, int(signum), 0, 0, 0)
        if os.getppid() != parent:  # the parent died before prctl: the signal never comes
            os.kill(os.getpid(), signum)

    return arm


@functools.cache
def _libc_prctl() -> Callable[..., int] | None:
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True).prctl
    except (OSError, AttributeError):
        return None
