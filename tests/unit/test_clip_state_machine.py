"""The clip lifecycle as a state machine, explored by Hypothesis."""

from __future__ import annotations

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from clipnet.domain.clips.model import TERMINAL, TRANSITIONS, ClipStatus
from clipnet.domain.shared.errors import IllegalTransition
from tests.builders import a_clip, at


def test_the_happy_path_goes_from_requested_to_posted() -> None:
    clip = a_clip()
    path = [
        ClipStatus.QUEUED,
        ClipStatus.TRANSCRIBING,
        ClipStatus.SCORING,
        ClipStatus.POLISHING,
        ClipStatus.UPLOADING,
        ClipStatus.READY,
        ClipStatus.POSTED,
    ]
    for second, status in enumerate(path):
        clip.move_to(status, at(second))
    assert clip.status is ClipStatus.POSTED
    assert [t.target for t in clip.history] == path
    assert [t.at for t in clip.history] == [at(s) for s in range(len(path))]


def test_an_illegal_transition_names_both_states() -> None:
    clip = a_clip()
    with pytest.raises(IllegalTransition, match=r"'requested'.*'ready'"):
        clip.move_to(ClipStatus.READY, at(1))
    assert clip.status is ClipStatus.REQUESTED
    assert clip.history == []


def test_a_failure_keeps_its_error_and_a_retry_counts_an_attempt() -> None:
    clip = a_clip()
    clip.move_to(ClipStatus.QUEUED, at(1))
    clip.move_to(ClipStatus.FAILED, at(2), "ffmpeg exited with 1")
    assert (clip.attempts, clip.last_error) == (1, "ffmpeg exited with 1")
    clip.move_to(ClipStatus.QUEUED, at(3))
    assert clip.attempts == 2


class ClipLifecycleMachine(RuleBasedStateMachine):
    """Random sequences of moves: legal ones apply, illegal ones raise and change nothing."""

    def __init__(self) -> None:
        super().__init__()
        self.clip = a_clip()
        self.seconds = 0
        self.attempts_seen = 0
        self.was_terminal = False

    @rule(status=st.sampled_from(list(ClipStatus)), reason=st.text(max_size=20))
    def move(self, status: ClipStatus, reason: str) -> None:
        target = status
        self.seconds += 1
        before = (self.clip.status, self.clip.attempts, len(self.clip.history))
        if target in TRANSITIONS[self.clip.status]:
            self.clip.move_to(target, at(self.seconds), reason)
            assert self.clip.status is target
            assert self.clip.history[-1].source is before[0]
        else:
            with pytest.raises(IllegalTransition):
                self.clip.move_to(target, at(self.seconds), reason)
            assert (self.clip.status, self.clip.attempts, len(self.clip.history)) == before

    @invariant()
    def attempts_never_decrease(self) -> None:
        assert self.clip.attempts >= self.attempts_seen
        self.attempts_seen = self.clip.attempts

    @invariant()
    def terminal_states_stay_terminal(self) -> None:
        if self.was_terminal:
            assert self.clip.status in TERMINAL
        self.was_terminal = self.clip.status in TERMINAL

    @invariant()
    def the_history_is_a_chain_of_legal_moves_in_time_order(self) -> None:
        status = ClipStatus.REQUESTED
        for transition in self.clip.history:
            assert transition.source is status
            assert transition.target in TRANSITIONS[transition.source]
            status = transition.target
        assert status is self.clip.status
        times = [t.at for t in self.clip.history]
        assert times == sorted(times)

    @invariant()
    def attempts_count_the_times_the_clip_was_queued(self) -> None:
        queued = sum(1 for t in self.clip.history if t.target is ClipStatus.QUEUED)
        assert self.clip.attempts == queued

    @invariant()
    def a_failed_clip_keeps_its_last_error(self) -> None:
        if self.clip.status is ClipStatus.FAILED:
            assert self.clip.last_error == self.clip.history[-1].reason


TestClipLifecycle = ClipLifecycleMachine.TestCase
