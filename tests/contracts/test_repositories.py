"""The repository and unit-of-work contract: every adapter of the port must pass it unchanged."""

from __future__ import annotations

import contextlib
import threading
import time

import pytest

from clipnet.domain.clipbot.model import Direction, Tally, Vote, VoterKey
from clipnet.domain.clips.model import ClipStatus, ClipSummary
from clipnet.domain.highlights.features import FeatureTimeline
from clipnet.domain.highlights.scoring import Score
from clipnet.domain.highlights.transcripts import Transcript, Word
from clipnet.domain.jobs.model import JobStatus, JobType, RetryPolicy
from clipnet.domain.jobs.stats import JobTally
from clipnet.domain.shared.errors import ConcurrencyConflict, InvalidInput, NotFound
from clipnet.domain.shared.platforms import Platform
from clipnet.domain.shared.spans import TimeSpan
from clipnet.ports.repositories import ClipQuery, UnitOfWorkFactory
from tests.builders import a_clip, a_job, a_post, a_source, a_user, an_account, at


def seed(uow_factory: UnitOfWorkFactory, *objects: object) -> None:
    """Store users, sources and clips in one committed transaction."""
    with uow_factory() as uow:
        for obj in objects:
            kind = type(obj).__name__
            {"User": uow.users.add, "Source": uow.sources.add, "Clip": uow.clips.add}[kind](obj)
        uow.commit()


# -- unit of work ---------------------------------------------------------------------------------


def test_changes_are_invisible_until_commit_and_kept_after(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as writer:
        writer.users.add(a_user())
        with uow_factory() as reader, pytest.raises(NotFound):
            reader.users.get("user-1")
        writer.commit()
    with uow_factory() as reader:
        assert reader.users.get("user-1").email == "user-1@example.com"


def test_leaving_without_commit_rolls_back(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        uow.users.add(a_user())
    with uow_factory() as uow, pytest.raises(NotFound):
        uow.users.get("user-1")


def test_an_error_inside_the_block_rolls_everything_back(uow_factory: UnitOfWorkFactory) -> None:
    seed(uow_factory, a_user(), a_source())
    with pytest.raises(RuntimeError), uow_factory() as uow:
        uow.clips.add(a_clip())
        uow.jobs.add(a_job())
        raise RuntimeError("boom")
    with uow_factory() as uow:
        assert uow.clips.search(ClipQuery()) == []
        assert uow.jobs.recent() == []


def test_explicit_rollback_forgets_changes(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        uow.users.add(a_user())
        uow.rollback()
        uow.commit()
    with uow_factory() as uow:
        assert uow.users.find_by_email("user-1@example.com") is None


# -- sources --------------------------------------------------------------------------------------


def test_a_source_round_trips_with_its_timeline(uow_factory: UnitOfWorkFactory) -> None:
    timeline = FeatureTimeline(
        seconds=3,
        series={"loudness": (-30.0, -12.5, -20.0), "motion": (0.0, 0.75, 0.25)},
        scene_cuts=(1.5,),
        silences=(TimeSpan(0, 1),),
    )
    source = a_source(timeline=timeline, title="Finals", category="Rocket League")
    seed(uow_factory, a_user(), source)
    with uow_factory() as uow:
        loaded = uow.sources.get("source-1")
    assert loaded.timeline == timeline
    assert loaded.title == "Finals"
    assert loaded.category == "Rocket League"
    assert loaded.duration == 600.0


def test_an_unknown_source_is_not_found(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow, pytest.raises(NotFound):
        uow.sources.get("nope")


def test_adding_a_source_twice_is_refused(uow_factory: UnitOfWorkFactory) -> None:
    seed(uow_factory, a_user(), a_source())
    with pytest.raises(InvalidInput), uow_factory() as uow:
        uow.sources.add(a_source())
        uow.commit()


def test_sources_are_listed_per_owner_newest_first(uow_factory: UnitOfWorkFactory) -> None:
    seed(
        uow_factory,
        a_user(),
        a_user("user-2"),
        a_source("source-1"),
        a_source("source-2"),
        a_source("source-3", owner_id="user-2"),
    )
    with uow_factory() as uow:
        assert [s.id for s in uow.sources.list_for_owner("user-1")] == ["source-2", "source-1"]
        assert [s.id for s in uow.sources.list_for_owner("user-2")] == ["source-3"]


def test_a_deleted_source_is_gone(uow_factory: UnitOfWorkFactory) -> None:
    seed(uow_factory, a_user(), a_source())
    with uow_factory() as uow:
        uow.sources.delete("source-1")
        uow.commit()
    with uow_factory() as uow, pytest.raises(NotFound):
        uow.sources.get("source-1")


# -- clips ----------------------------------------------------------------------------------------


def a_rich_clip() -> object:
    clip = a_clip(title="Clutch", template="split", description="wow", hashtags=("#gg",))
    clip.move_to(ClipStatus.QUEUED, at(1))
    clip.move_to(ClipStatus.SCORING, at(2))
    clip.score = Score({"loudness": 0.9, "motion": 0.4}, {"loudness": 1, "motion": 1}, 65, "loud")
    clip.transcript = Transcript(
        (
            Word("what", 0.0, 0.4, 0.9, no_speech=0.05, compression=1.2, logprob=-0.3),
            Word("a", 0.4, 0.5),
        ),
        "en",
    )
    clip.captions, clip.tags = ("a man shouting",), ("game",)
    clip.assets = {"video": "clips/clip-1/video.mp4"}
    return clip


def test_a_clip_round_trips_field_by_field(uow_factory: UnitOfWorkFactory) -> None:
    clip = a_rich_clip()
    seed(uow_factory, a_user(), a_source(), clip)
    with uow_factory() as uow:
        loaded = uow.clips.get("clip-1")
    assert loaded.same_state_as(clip)  # type: ignore[arg-type]


def test_updating_a_clip_bumps_its_version(uow_factory: UnitOfWorkFactory) -> None:
    seed(uow_factory, a_user(), a_source(), a_clip())
    with uow_factory() as uow:
        clip = uow.clips.get("clip-1")
        clip.move_to(ClipStatus.QUEUED, at(1))
        uow.clips.update(clip)
        uow.commit()
    with uow_factory() as uow:
        loaded = uow.clips.get("clip-1")
    assert loaded.status is ClipStatus.QUEUED
    assert loaded.version == 1
    assert [t.target for t in loaded.history] == [ClipStatus.QUEUED]


def test_two_writers_of_one_clip_cannot_both_win(uow_factory: UnitOfWorkFactory) -> None:
    seed(uow_factory, a_user(), a_source(), a_clip())
    first, second = uow_factory(), uow_factory()
    with first, second:
        mine, theirs = first.clips.get("clip-1"), second.clips.get("clip-1")
        mine.move_to(ClipStatus.QUEUED, at(1))
        theirs.move_to(ClipStatus.CANCELLED, at(1))
        first.clips.update(mine)
        first.commit()
        with pytest.raises(ConcurrencyConflict):
            second.clips.update(theirs)
            second.commit()
    with uow_factory() as uow:
        assert uow.clips.get("clip-1").status is ClipStatus.QUEUED


def test_updating_a_stale_copy_is_a_conflict(uow_factory: UnitOfWorkFactory) -> None:
    seed(uow_factory, a_user(), a_source(), a_clip())
    with uow_factory() as uow:
        stale = uow.clips.get("clip-1")
    with uow_factory() as uow:
        fresh = uow.clips.get("clip-1")
        fresh.rename("fresh")
        uow.clips.update(fresh)
        uow.commit()
    stale.rename("stale")
    with pytest.raises(ConcurrencyConflict), uow_factory() as uow:
        uow.clips.update(stale)
        uow.commit()
    with uow_factory() as uow:
        assert uow.clips.get("clip-1").title == "fresh"


def test_clips_are_searched_by_owner_source_status_and_score(
    uow_factory: UnitOfWorkFactory,
) -> None:
    scored = a_clip("clip-2", score=Score({"motion": 0.9}, {"motion": 1}, 90, "fast motion"))
    low = a_clip("clip-3", score=Score({"motion": 0.1}, {"motion": 1}, 10, "calm"))
    other_source = a_clip("clip-4", source_id="source-2")
    theirs = a_clip("clip-5", source_id="source-3", owner_id="user-2")
    seed(
        uow_factory,
        a_user(),
        a_user("user-2"),
        a_source(),
        a_source("source-2"),
        a_source("source-3", owner_id="user-2"),
        a_clip("clip-1"),
        scored,
        low,
        other_source,
        theirs,
    )
    with uow_factory() as uow:

        def ids(**query: object) -> list[str]:
            return [c.id for c in uow.clips.search(ClipQuery(**query))]  # type: ignore[arg-type]

        assert ids(owner_id="user-1") == ["clip-1", "clip-2", "clip-3", "clip-4"]
        assert ids(source_id="source-2") == ["clip-4"]
        assert ids(min_score=50) == ["clip-2"]
        assert ids(statuses=(ClipStatus.REQUESTED,), owner_id="user-2") == ["clip-5"]
        assert ids(statuses=(ClipStatus.READY,)) == []


def test_clips_are_searched_by_auto_post_eligibility(uow_factory: UnitOfWorkFactory) -> None:
    eligible = [
        a_clip("clip-2", auto_post_eligible=True),
        a_clip("clip-4", auto_post_eligible=True),
    ]
    seed(uow_factory, a_user(), a_source(), a_clip("clip-1"), a_clip("clip-3"), *eligible)
    with uow_factory() as uow:
        assert [c.id for c in uow.clips.search(ClipQuery(auto_post_eligible=True))] == [
            "clip-2",
            "clip-4",
        ]
        assert [c.id for c in uow.clips.search(ClipQuery(auto_post_eligible=False))] == [
            "clip-1",
            "clip-3",
        ]
        assert len(uow.clips.search(ClipQuery())) == 4


def test_clips_are_searched_by_their_owners_approval(uow_factory: UnitOfWorkFactory) -> None:
    approved = a_clip("clip-2", approved=True)
    seed(uow_factory, a_user(), a_source(), a_clip("clip-1"), approved)
    with uow_factory() as uow:
        assert [c.id for c in uow.clips.search(ClipQuery(approved=True))] == ["clip-2"]
        assert [c.id for c in uow.clips.search(ClipQuery(approved=False))] == ["clip-1"]


def test_clip_search_pages_with_a_cursor(uow_factory: UnitOfWorkFactory) -> None:
    clips = [a_clip(f"clip-{i:02d}") for i in range(7)]
    seed(uow_factory, a_user(), a_source(), *clips)
    seen: list[str] = []
    after = None
    with uow_factory() as uow:
        while True:
            page = uow.clips.search(ClipQuery(after=after, limit=3))
            if not page:
                break
            assert len(page) <= 3
            seen.extend(c.id for c in page)
            after = page[-1].id
    assert seen == [c.id for c in clips]


def test_clip_summaries_are_the_searched_clips_in_brief(uow_factory: UnitOfWorkFactory) -> None:
    scored = a_clip(
        "clip-2",
        title="what a save",
        template="blur-pad",
        status=ClipStatus.READY,
        score=Score({"motion": 0.9}, {"motion": 1}, 90, "fast motion"),
        transcript=Transcript([Word("gg", 0.0, 0.5, 0.9)], "en"),
    )
    seed(uow_factory, a_user(), a_source(), a_clip("clip-1"), scored, a_clip("clip-3"))
    with uow_factory() as uow:
        for query in (ClipQuery(), ClipQuery(min_score=50), ClipQuery(after="clip-1", limit=1)):
            expected = [ClipSummary.of(c) for c in uow.clips.search(query)]
            assert uow.clips.summaries(query) == expected
        [brief] = uow.clips.summaries(ClipQuery(min_score=50))
    assert (brief.id, brief.title, brief.template) == ("clip-2", "what a save", "blur-pad")
    assert (brief.status, brief.score_total, brief.span) == (ClipStatus.READY, 90, scored.span)


def test_a_shared_clip_is_found_by_its_token_and_an_unshared_one_by_none(
    uow_factory: UnitOfWorkFactory,
) -> None:
    seed(
        uow_factory,
        a_user(),
        a_source(),
        a_clip("clip-1", share_token="token-of-clip-1-abcdef"),
        a_clip("clip-2"),
        a_clip("clip-3"),  # two unshared clips: no token is no clash
    )
    with uow_factory() as uow:
        found = uow.clips.find_shared("token-of-clip-1-abcdef")
        assert found is not None and found.id == "clip-1"
        assert found.share_token == "token-of-clip-1-abcdef"
        assert uow.clips.find_shared("token-of-clip-1-abcdeF") is None
        assert uow.clips.find_shared("") is None
        unshared = uow.clips.get("clip-2")
        assert unshared.share_token == ""
        found.share_token = ""
        uow.clips.update(found)
        uow.commit()
    with uow_factory() as uow:
        assert uow.clips.find_shared("token-of-clip-1-abcdef") is None


def test_two_clips_cannot_hold_one_share_token(uow_factory: UnitOfWorkFactory) -> None:
    seed(uow_factory, a_user(), a_source(), a_clip("clip-1", share_token="same-token-0123456789"))
    with pytest.raises((InvalidInput, ConcurrencyConflict)), uow_factory() as uow:
        second = uow.clips.get("clip-1")
        uow.clips.add(a_clip("clip-2", share_token=second.share_token))
        uow.commit()


def test_deleting_a_clip_removes_its_votes_and_posts(uow_factory: UnitOfWorkFactory) -> None:
    seed(uow_factory, a_user(), a_source(), a_clip())
    with uow_factory() as uow:
        uow.votes.put(Vote("clip-1", Platform.TWITCH, "viewer", Direction.UP, at(1)))
        uow.posts.add(a_post())
        uow.commit()
    with uow_factory() as uow:
        uow.clips.delete("clip-1")
        uow.commit()
    with uow_factory() as uow:
        with pytest.raises(NotFound):
            uow.clips.get("clip-1")
        assert uow.votes.for_clip("clip-1") == []
        assert uow.posts.list_for_clip("clip-1") == []


# -- votes ----------------------------------------------------------------------------------------


def test_one_vote_per_voter_and_changes_replace_it(uow_factory: UnitOfWorkFactory) -> None:
    seed(uow_factory, a_user(), a_source(), a_clip())
    with uow_factory() as uow:
        uow.votes.put(Vote("clip-1", Platform.TWITCH, "alice", Direction.UP, at(1)))
        uow.votes.put(Vote("clip-1", Platform.TWITCH, "bob", Direction.UP, at(1)))
        uow.votes.put(Vote("clip-1", Platform.DISCORD, "alice", Direction.DOWN, at(1)))
        uow.commit()
    with uow_factory() as uow:
        uow.votes.put(Vote("clip-1", Platform.TWITCH, "alice", Direction.DOWN, at(2)))
        uow.commit()
    with uow_factory() as uow:
        assert uow.votes.tally("clip-1") == Tally(up=1, down=2)
        assert len(uow.votes.for_clip("clip-1")) == 3
        vote = uow.votes.get(VoterKey("clip-1", Platform.TWITCH, "alice"))
        assert vote is not None and vote.direction is Direction.DOWN


def test_a_withdrawn_vote_no_longer_counts(uow_factory: UnitOfWorkFactory) -> None:
    seed(uow_factory, a_user(), a_source(), a_clip())
    key = VoterKey("clip-1", Platform.X, "carol")
    with uow_factory() as uow:
        uow.votes.put(Vote("clip-1", Platform.X, "carol", Direction.UP, at(1)))
        uow.commit()
    with uow_factory() as uow:
        assert uow.votes.remove(key) is True
        assert uow.votes.remove(key) is False
        uow.commit()
    with uow_factory() as uow:
        assert uow.votes.tally("clip-1") == Tally()
        assert uow.votes.get(key) is None


def test_the_tally_equals_the_count_of_current_votes(uow_factory: UnitOfWorkFactory) -> None:
    seed(uow_factory, a_user(), a_source(), a_clip())
    with uow_factory() as uow:
        for i in range(5):
            direction = Direction.UP if i % 2 else Direction.DOWN
            uow.votes.put(Vote("clip-1", Platform.TWITCH, f"v{i}", direction, at(i)))
        uow.commit()
    with uow_factory() as uow:
        assert uow.votes.tally("clip-1") == Tally.of(uow.votes.for_clip("clip-1"))


def test_voters_who_lock_the_clip_take_turns_and_the_second_counts_the_first(
    uow_factory: UnitOfWorkFactory,
) -> None:
    # given a voter inside a transaction that locked the clip and voted, not committed yet
    seed(uow_factory, a_user(), a_source(), a_clip())
    first_voted, second_started = threading.Event(), threading.Event()
    tallies: dict[str, Tally] = {}

    def vote(voter: str) -> None:
        with uow_factory() as uow:
            uow.clips.get("clip-1", lock=True)
            uow.votes.put(Vote("clip-1", Platform.TWITCH, voter, Direction.UP, at(1)))
            if voter == "first":
                first_voted.set()
                second_started.wait(5)
                time.sleep(0.3)  # the second voter is at the clip by now, and must wait
            tallies[voter] = uow.votes.tally("clip-1")
            uow.commit()

    first = threading.Thread(target=vote, args=("first",))
    first.start()
    first_voted.wait(5)
    # when a second voter locks the clip, votes and counts
    second_started.set()
    vote("second")
    first.join(5)
    # then the second waited for the first's commit, so its count holds both votes
    assert tallies == {"first": Tally(up=1), "second": Tally(up=2)}


def test_a_vote_on_an_unknown_clip_is_refused(uow_factory: UnitOfWorkFactory) -> None:
    with pytest.raises((NotFound, InvalidInput)), uow_factory() as uow:
        uow.votes.put(Vote("ghost", Platform.TWITCH, "alice", Direction.UP, at(1)))
        uow.commit()


# -- users and accounts ---------------------------------------------------------------------------


def test_users_are_found_by_email_ignoring_case(uow_factory: UnitOfWorkFactory) -> None:
    seed(uow_factory, a_user(email="Alice@Example.com", display_name="Alice"))
    with uow_factory() as uow:
        found = uow.users.find_by_email("alice@example.COM")
    assert found is not None and found.display_name == "Alice"


def test_an_email_can_be_registered_once(uow_factory: UnitOfWorkFactory) -> None:
    seed(uow_factory, a_user(email="alice@example.com"))
    with pytest.raises((InvalidInput, ConcurrencyConflict)), uow_factory() as uow:
        uow.users.add(a_user("user-2", email="ALICE@example.com"))
        uow.commit()


def test_of_two_transactions_registering_one_email_at_once_one_commits(
    uow_factory: UnitOfWorkFactory,
) -> None:
    both_staged = threading.Barrier(2)
    outcomes: list[str] = []

    def register(user_id: str) -> None:
        try:
            with uow_factory() as uow:
                uow.users.add(a_user(user_id, email="bob@example.com"))
                # A database that locks the row makes the other wait here: go on alone.
                with contextlib.suppress(threading.BrokenBarrierError):
                    both_staged.wait(timeout=2)
                uow.commit()
            outcomes.append("committed")
        except (InvalidInput, ConcurrencyConflict):
            outcomes.append("refused")

    threads = [threading.Thread(target=register, args=(f"user-{n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["committed", "refused"]
    with uow_factory() as uow:
        assert uow.users.find_by_email("bob@example.com") is not None


def test_an_email_given_up_can_be_taken_by_another_user(uow_factory: UnitOfWorkFactory) -> None:
    seed(uow_factory, a_user("user-1", email="bob@example.com"))
    with uow_factory() as uow:
        bob = uow.users.get("user-1")
        bob.email = "robert@example.com"
        uow.users.update(bob)
        uow.commit()
    with uow_factory() as uow:
        uow.users.add(a_user("user-2", email="bob@example.com"))
        uow.commit()
    with uow_factory() as uow:
        assert uow.users.get("user-1").email == "robert@example.com"
        found = uow.users.find_by_email("bob@example.com")
        assert found is not None and found.id == "user-2"


def test_an_oauth_account_round_trips_and_is_replaced_per_provider(
    uow_factory: UnitOfWorkFactory,
) -> None:
    seed(uow_factory, a_user())
    with uow_factory() as uow:
        uow.oauth_accounts.save(an_account())
        uow.commit()
    with uow_factory() as uow:
        uow.oauth_accounts.save(an_account(access_token="rotated"))
        uow.oauth_accounts.save(an_account(id="acct-yt", provider=Platform.YOUTUBE))
        uow.commit()
    with uow_factory() as uow:
        twitch = uow.oauth_accounts.find("user-1", Platform.TWITCH)
        assert twitch is not None
        assert (twitch.access_token, twitch.refresh_token) == ("rotated", "refresh-secret-token")
        assert twitch.scopes == ("chat:read", "clips:edit")
        assert twitch.expires_at == at(3600)
        providers = [a.provider for a in uow.oauth_accounts.list_for_user("user-1")]
        assert sorted(providers) == [Platform.TWITCH, Platform.YOUTUBE]
        uow.oauth_accounts.delete("user-1", Platform.TWITCH)
        uow.commit()
    with uow_factory() as uow:
        assert uow.oauth_accounts.find("user-1", Platform.TWITCH) is None


# -- posts ----------------------------------------------------------------------------------------


def test_a_post_with_a_used_key_returns_the_first(uow_factory: UnitOfWorkFactory) -> None:
    seed(uow_factory, a_user(), a_source(), a_clip())
    with uow_factory() as uow:
        first = uow.posts.add(a_post("post-1", idempotency_key="yt:clip-1"))
        uow.commit()
    with uow_factory() as uow:
        again = uow.posts.add(a_post("post-2", idempotency_key="yt:clip-1"))
        uow.commit()
    assert again.id == first.id == "post-1"
    with uow_factory() as uow:
        assert [p.id for p in uow.posts.list_for_clip("clip-1")] == ["post-1"]


def test_a_posted_post_keeps_its_remote_id(uow_factory: UnitOfWorkFactory) -> None:
    seed(uow_factory, a_user(), a_source(), a_clip())
    with uow_factory() as uow:
        post = uow.posts.add(a_post())
        uow.commit()
    with uow_factory() as uow:
        post = uow.posts.get(post.id)
        post.mark_posted("yt-123", "https://youtu.be/yt-123")
        uow.posts.update(post)
        uow.commit()
    with uow_factory() as uow:
        loaded = uow.posts.get("post-1")
    assert (loaded.status.value, loaded.remote_id, loaded.url) == (
        "posted",
        "yt-123",
        "https://youtu.be/yt-123",
    )


# -- jobs -----------------------------------------------------------------------------------------


def test_a_job_with_a_used_idempotency_key_returns_the_first(
    uow_factory: UnitOfWorkFactory,
) -> None:
    with uow_factory() as uow:
        first = uow.jobs.add(a_job("job-1", key="clip:process:clip-1:1"))
        uow.commit()
    with uow_factory() as uow:
        second = uow.jobs.add(a_job("job-2", key="clip:process:clip-1:1"))
        uow.commit()
    assert second.id == first.id == "job-1"
    with uow_factory() as uow:
        assert [j.id for j in uow.jobs.recent()] == ["job-1"]


def test_a_job_round_trips_with_payload_and_failure(uow_factory: UnitOfWorkFactory) -> None:

    with uow_factory() as uow:
        uow.jobs.add(a_job(payload={"clip_id": "clip-1", "spans": [[1.5, 3.0]], "n": None}))
        uow.commit()
    with uow_factory() as uow:
        job = uow.jobs.get("job-1")
        job.start(at(1))
        job.fail("ValueError: bad frame", at(2), RetryPolicy(), permanent=False)
        uow.jobs.update(job)
        uow.commit()
    with uow_factory() as uow:
        loaded = uow.jobs.get("job-1")
    assert loaded.payload == {"clip_id": "clip-1", "spans": [[1.5, 3.0]], "n": None}
    assert (loaded.status, loaded.attempts, loaded.last_error) == (
        JobStatus.FAILED,
        1,
        "ValueError: bad frame",
    )
    assert loaded.run_after is not None and loaded.run_after > at(2)
    assert loaded.started_at == at(1) and loaded.finished_at == at(2)


def test_recent_jobs_filter_by_status_newest_first(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        for i in range(4):
            uow.jobs.add(a_job(f"job-{i}", created_at=at(i)))
        uow.commit()
    with uow_factory() as uow:
        job = uow.jobs.get("job-2")
        job.start(at(10))
        uow.jobs.update(job)
        uow.commit()
    with uow_factory() as uow:
        assert [j.id for j in uow.jobs.recent()] == ["job-3", "job-2", "job-1", "job-0"]
        assert [j.id for j in uow.jobs.recent(JobStatus.RUNNING)] == ["job-2"]
        assert [j.id for j in uow.jobs.recent(limit=2)] == ["job-3", "job-2"]


def test_undispatched_jobs_are_the_outbox_oldest_first(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        uow.jobs.add(a_job("job-b", created_at=at(2)))
        uow.jobs.add(a_job("job-a", created_at=at(1)))
        uow.jobs.add(a_job("job-c", created_at=at(3), dispatched=True))
        uow.commit()
    with uow_factory() as uow:
        assert [j.id for j in uow.jobs.undispatched()] == ["job-a", "job-b"]


def test_the_job_tally_counts_each_type_and_status_with_retries_and_timings(
    uow_factory: UnitOfWorkFactory,
) -> None:
    # given jobs of two types: queued, succeeded (one after a retry), failed, dead
    retry = RetryPolicy(base_delay=0.0, jitter=0.0)
    with uow_factory() as uow:
        uow.jobs.add(a_job("queued", created_at=at(0)))
        retried = uow.jobs.add(a_job("retried", created_at=at(0)))
        quick = uow.jobs.add(a_job("quick", created_at=at(1)))
        waiting = uow.jobs.add(a_job("waiting", type=JobType.POST_YOUTUBE, created_at=at(0)))
        dead = uow.jobs.add(a_job("dead", type=JobType.POST_YOUTUBE, max_attempts=2))
        uow.commit()
    with uow_factory() as uow:
        retried.start(at(2))
        retried.fail("boom", at(3), retry)
        retried.start(at(5))
        retried.succeed(at(9))  # 2 tries: ran 4 s last time, 9 s from creation
        quick.start(at(1.5))
        quick.succeed(at(3.5))  # ran 2 s, 2.5 s from creation
        waiting.start(at(1))
        waiting.fail("429", at(2), retry)
        for second in (1, 3):
            dead.start(at(second))
            dead.fail("403", at(second + 1), retry)
        for job in (retried, quick, waiting, dead):
            uow.jobs.update(job)
        uow.commit()

    # when they are tallied
    with uow_factory() as uow:
        tallies = {(t.type, t.status): t for t in uow.jobs.tally()}

    # then each (type, status) has its count, retries and (succeeded) timings
    clip, post = JobType.CLIP_PROCESS, JobType.POST_YOUTUBE
    assert set(tallies) == {
        (clip, JobStatus.QUEUED),
        (clip, JobStatus.SUCCEEDED),
        (post, JobStatus.FAILED),
        (post, JobStatus.DEAD),
    }
    assert tallies[clip, JobStatus.QUEUED] == JobTally(clip, JobStatus.QUEUED, 1, 0)
    done = tallies[clip, JobStatus.SUCCEEDED]
    assert (done.count, done.retries) == (2, 1)
    assert done.run_seconds == pytest.approx(6.0, abs=1e-3)
    assert done.latency_seconds == pytest.approx(11.5, abs=1e-3)
    assert tallies[post, JobStatus.FAILED] == JobTally(post, JobStatus.FAILED, 1, 0)
    assert tallies[post, JobStatus.DEAD] == JobTally(post, JobStatus.DEAD, 1, 1)
