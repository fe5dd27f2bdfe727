"""Per-user and per-channel cooldowns on chat commands, so chat cannot flood ClipNET."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType

import attrs

from clipnet.domain.clipbot.model import BotCommand, CommandName, Cooldown
from clipnet.domain.shared.platforms import Platform


@attrs.frozen
class CooldownRule:
    """How often one user, and one channel as a whole, may use a command."""

    user_seconds: float = 0.0
    channel_seconds: float = 0.0


#: ``!clip`` is the expensive one; votes are already limited to one per user per clip.
DEFAULT_RULES: Mapping[CommandName, CooldownRule] = MappingProxyType(
    {
        CommandName.CLIP: CooldownRule(user_seconds=30, channel_seconds=10),
        CommandName.TOP: CooldownRule(user_seconds=10, channel_seconds=5),
        CommandName.STATUS: CooldownRule(user_seconds=3),
        CommandName.HELP: CooldownRule(user_seconds=30, channel_seconds=10),
        CommandName.VOTE: CooldownRule(user_seconds=1),
        CommandName.UNVOTE: CooldownRule(user_seconds=1),
    }
)

#: The usage reply to a bad command (unknown, or with bad arguments): per user only, and a
#: slot of its own, so typos neither silence the channel nor wait out another command's.
USAGE_RULE = CooldownRule(user_seconds=5)


def slots_for(command: BotCommand, rules: Mapping[CommandName, CooldownRule]) -> list[Cooldown]:
    """The cooldown slots a command uses up; none when its rule has no waits."""
    rule = rules.get(command.name, CooldownRule())
    where = f"{command.platform.value}:{command.channel}:{command.name.value}"
    return _slots(where, command.user, rule)


def usage_slots(platform: Platform, channel: str, user: str, rule: CooldownRule) -> list[Cooldown]:
    """The slots a usage reply to one user's bad command uses up."""
    return _slots(f"{platform.value}:{channel}:usage", user, rule)


def _slots(where: str, user: str, rule: CooldownRule) -> list[Cooldown]:
    slots = []
    if rule.user_seconds > 0:
        slots.append(Cooldown(f"{where}:user:{user}", rule.user_seconds))
    if rule.channel_seconds > 0:
        slots.append(Cooldown(f"{where}:channel", rule.channel_seconds))
    return slots


def seconds_left(last_used: datetime | None, now: datetime, seconds: float) -> float:
    """How long a slot last used at ``last_used`` stays closed after ``now`` (0 if open)."""
    if last_used is None:
        return 0.0
    return max(0.0, seconds - (now - last_used).total_seconds())
