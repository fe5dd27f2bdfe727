"""ClipBOT's memory in SQL: each method is one short transaction; primary keys decide races."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from clipnet.adapters.sqlalchemy import tables as t
from clipnet.adapters.sqlalchemy.database import SqlDatabase
from clipnet.domain.clipbot.cooldowns import seconds_left
from clipnet.domain.clipbot.model import ChannelLink, Cooldown, ReplyTarget
from clipnet.domain.shared.platforms import Platform

_NEVER = datetime(1970, 1, 1, tzinfo=UTC)


class SqlBotStore:
    def __init__(self, db: SqlDatabase) -> None:
        self._db = db

    def claim(self, platform: Platform, delivery_id: str, at: datetime) -> bool:
        row = {"platform": platform.value, "delivery_id": delivery_id, "received_at": at}
        with self._db.unit_of_work() as uow:
            claimed = uow.insert_new(t.bot_deliveries, row)
            uow.commit()
        return claimed

    def release(self, platform: Platform, delivery_id: str) -> None:
        table = t.bot_deliveries
        self._write(
            table.delete().where(
                table.c.platform == platform.value, table.c.delivery_id == delivery_id
            )
        )

    def save_link(self, link: ChannelLink) -> None:
        row = {
            "platform": link.platform.value,
            "channel": link.channel,
            "owner_id": link.owner_id,
            "source_id": link.source_id,
            "live_since": link.live_since,
            "vote_threshold": link.vote_threshold,
        }
        with self._db.unit_of_work() as uow:
            uow.upsert(t.bot_channel_links, row, ["platform", "channel"])
            uow.commit()

    def find_link(self, platform: Platform, channel: str) -> ChannelLink | None:
        table = t.bot_channel_links
        rows = self._read(
            sa.select(table).where(table.c.platform == platform.value, table.c.channel == channel)
        )
        return _link(rows[0]) if rows else None

    def links_for_source(self, source_id: str) -> list[ChannelLink]:
        return self._links(t.bot_channel_links.c.source_id == source_id)

    def all_links(self) -> list[ChannelLink]:
        return self._links(sa.true())

    def _links(self, condition: sa.ColumnElement[bool]) -> list[ChannelLink]:
        table = t.bot_channel_links
        rows = self._read(
            sa.select(table).where(condition).order_by(table.c.platform, table.c.channel)
        )
        return [_link(row) for row in rows]

    def remove_link(self, platform: Platform, channel: str) -> bool:
        table = t.bot_channel_links
        with self._db.unit_of_work() as uow:
            removed = uow.execute(
                table.delete().where(table.c.platform == platform.value, table.c.channel == channel)
            ).rowcount
            uow.commit()
        return bool(removed)

    def remember_request(self, clip_id: str, target: ReplyTarget) -> None:
        row = {
            "clip_id": clip_id,
            "platform": target.platform.value,
            "channel": target.channel,
            "reply_to": target.reply_to,
            "user_id": target.user,
        }
        with self._db.unit_of_work() as uow:
            uow.upsert(t.bot_clip_requests, row, ["clip_id"])
            uow.commit()

    def request_for(self, clip_id: str) -> ReplyTarget | None:
        table = t.bot_clip_requests
        rows = self._read(sa.select(table).where(table.c.clip_id == clip_id))
        if not rows:
            return None
        row = rows[0]
        return ReplyTarget(
            Platform(row["platform"]), row["channel"], row["reply_to"], row["user_id"]
        )

    def sent_message(self, key: str) -> str | None:
        table = t.bot_sent_messages
        rows = self._read(sa.select(table.c.message_id).where(table.c.idempotency_key == key))
        return str(rows[0]["message_id"]) if rows else None

    def record_sent(self, key: str, message_id: str) -> None:
        with self._db.unit_of_work() as uow:
            uow.insert_new(t.bot_sent_messages, {"idempotency_key": key, "message_id": message_id})
            uow.commit()

    def take_cooldowns(self, slots: Sequence[Cooldown], now: datetime) -> float:
        if not slots:
            return 0.0
        table = t.bot_cooldowns
        keys = [slot.key for slot in slots]
        with self._db.unit_of_work() as uow:
            for key in keys:  # rows exist before they are locked, so FOR UPDATE covers them
                uow.insert_new(table, {"key": key, "used_at": _NEVER})
            rows = uow.all(
                sa.select(table.c.key, table.c.used_at)
                .where(table.c.key.in_(keys))
                .order_by(table.c.key)  # one lock order: no deadlocks between slots
                .with_for_update()
            )
            last = {row["key"]: row["used_at"] for row in rows}
            wait = max(seconds_left(last.get(s.key), now, s.seconds) for s in slots)
            if wait == 0:
                uow.execute(table.update().where(table.c.key.in_(keys)).values(used_at=now))
            uow.commit()
        return wait

    def revoke_subscription(
        self, platform: Platform, subscription_id: str, reason: str, at: datetime
    ) -> None:
        row = {
            "platform": platform.value,
            "subscription_id": subscription_id,
            "reason": reason,
            "revoked_at": at,
        }
        with self._db.unit_of_work() as uow:
            uow.insert_new(t.bot_revoked_subscriptions, row)
            uow.commit()

    def revoked_subscriptions(self, platform: Platform) -> dict[str, str]:
        table = t.bot_revoked_subscriptions
        rows = self._read(
            sa.select(table.c.subscription_id, table.c.reason).where(
                table.c.platform == platform.value
            )
        )
        return {row["subscription_id"]: row["reason"] for row in rows}

    def _read(self, statement: sa.Select[Any]) -> Sequence[sa.RowMapping]:
        with self._db.unit_of_work() as uow:
            return uow.all(statement)

    def _write(self, statement: sa.Executable) -> None:
        with self._db.unit_of_work() as uow:
            uow.execute(statement)
            uow.commit()


def _link(row: sa.RowMapping) -> ChannelLink:
    return ChannelLink(
        platform=Platform(row["platform"]),
        channel=row["channel"],
        owner_id=row["owner_id"],
        source_id=row["source_id"],
        live_since=row["live_since"],
        vote_threshold=row["vote_threshold"],
    )
