"""The BotStore contract, for every adapter: claims, links, requests, ledger, cooldowns."""

from __future__ import annotations

import concurrent.futures
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from clipnet.adapters.crypto import FernetSecretBox
from clipnet.adapters.memory.bot_store import InMemoryBotStore
from clipnet.adapters.sqlalchemy.bot_store import SqlBotStore
from clipnet.domain.clipbot.model import ChannelLink, Cooldown, ReplyTarget
from clipnet.domain.shared.platforms import Platform
from clipnet.ports.bot import BotStore
from tests.builders import T0, at
from tests.sql_databases import empty_tables, sql_database, sqlite_url

TWITCH = Platform.TWITCH


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[BotStore]:
    if request.param == "memory":
        yield InMemoryBotStore()
    elif request.param == "sqlite":
        with sql_database(sqlite_url(tmp_path)) as db:
            yield SqlBotStore(db)
    else:
        db = request.getfixturevalue("postgres_repositories")
        empty_tables(db)
        yield SqlBotStore(db)


def test_a_delivery_is_claimed_once_per_platform(store: BotStore) -> None:
    assert store.claim(TWITCH, "m-1", T0)
    assert not store.claim(TWITCH, "m-1", at(5))
    assert store.claim(Platform.X, "m-1", T0)


def test_a_released_claim_can_be_claimed_again(store: BotStore) -> None:
    store.claim(TWITCH, "m-1", T0)
    store.release(TWITCH, "m-1")
    assert store.claim(TWITCH, "m-1", at(1))


def test_fifty_concurrent_claims_of_one_delivery_have_one_winner(store: BotStore) -> None:
    with concurrent.futures.ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(lambda _: store.claim(TWITCH, "same", T0), range(50)))
    assert results.count(True) == 1


def test_a_link_round_trips_and_can_be_replaced(store: BotStore) -> None:
    link = ChannelLink(TWITCH, "chan", "owner", "source-1", live_since=at(3), vote_threshold=7)
    store.save_link(link)
    found = store.find_link(TWITCH, "chan")
    assert found is not None
    assert (found.owner_id, found.source_id, found.live_since, found.vote_threshold) == (
        "owner",
        "source-1",
        at(3),
        7,
    )
    store.save_link(ChannelLink(TWITCH, "chan", "owner", "source-2"))
    replaced = store.find_link(TWITCH, "chan")
    assert replaced is not None and (replaced.source_id, replaced.live_since) == ("source-2", None)
    assert store.find_link(Platform.DISCORD, "chan") is None
    assert [x.channel for x in store.links_for_source("source-2")] == ["chan"]
    assert store.links_for_source("source-1") == []


def test_all_links_are_listed_by_platform_and_channel_and_one_can_be_removed(
    store: BotStore,
) -> None:
    for platform, channel in [(TWITCH, "b"), (Platform.X, "a"), (TWITCH, "a")]:
        store.save_link(ChannelLink(platform, channel, "owner", "source-1"))

    assert [(x.platform, x.channel) for x in store.all_links()] == [
        (TWITCH, "a"),
        (TWITCH, "b"),
        (Platform.X, "a"),
    ]
    assert store.remove_link(TWITCH, "a")
    assert not store.remove_link(TWITCH, "a")
    assert not store.remove_link(Platform.DISCORD, "b")
    assert store.find_link(TWITCH, "a") is None
    left = [(x.platform, x.channel) for x in store.all_links()]
    assert left == [(TWITCH, "b"), (Platform.X, "a")]
    assert [x.channel for x in store.links_for_source("source-1")] == ["b", "a"]


def test_a_clip_request_remembers_where_to_answer(store: BotStore) -> None:
    target = ReplyTarget(Platform.DISCORD, "chan", "interaction:tok", "user-1")
    store.remember_request("clip-1", target)
    assert store.request_for("clip-1") == target
    assert store.request_for("clip-2") is None


def test_a_sealed_interaction_target_is_kept_exactly(store: BotStore) -> None:
    box = FernetSecretBox.ephemeral()
    token = "interaction:" + "t" * 200  # Discord tokens are long; sealed, longer still
    target = ReplyTarget(Platform.DISCORD, "chan", token, "user-1").sealed(box)
    store.remember_request("clip-1", target)
    found = store.request_for("clip-1")
    assert found == target and found.opened(box).reply_to == token


def test_the_sent_ledger_keeps_the_first_message_id(store: BotStore) -> None:
    assert store.sent_message("k") is None
    store.record_sent("k", "msg-1")
    store.record_sent("k", "msg-2")
    assert store.sent_message("k") == "msg-1"


def test_cooldowns_are_all_or_nothing(store: BotStore) -> None:
    user, channel = Cooldown("user", 30), Cooldown("channel", 10)
    assert store.take_cooldowns([user, channel], T0) == 0
    assert store.take_cooldowns([channel], at(4)) == pytest.approx(6)
    assert store.take_cooldowns([Cooldown("other-user", 30), channel], at(11)) == 0
    # the user's slot still has 19 s to go, so the channel's is not used up either
    assert store.take_cooldowns([user, channel], at(11)) == pytest.approx(19)
    assert store.take_cooldowns([channel], at(21.5)) == 0
    assert store.take_cooldowns([], T0 + timedelta(seconds=1)) == 0


def test_concurrent_takers_of_one_cooldown_let_one_through(store: BotStore) -> None:
    slot = Cooldown("busy", 60)
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        waits = list(pool.map(lambda _: store.take_cooldowns([slot], T0), range(16)))
    assert waits.count(0) == 1


def test_a_revoked_subscription_is_recorded_once(store: BotStore) -> None:
    store.revoke_subscription(TWITCH, "sub-1", "authorization_revoked", T0)
    store.revoke_subscription(TWITCH, "sub-1", "user_removed", at(1))
    assert store.revoked_subscriptions(TWITCH) == {"sub-1": "authorization_revoked"}
    assert store.revoked_subscriptions(Platform.X) == {}
