"""ClipNET's settings, read once at start from ``CLIPNET_*`` environment variables.

A missing or malformed setting fails at start with a message naming its variable.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import attrs

from clipnet.settings.fields import (
    ConfigError,
    Context,
    Profile,
    as_enum,
    as_path,
    check_section,
    describe_section,
    load_section,
)
from clipnet.settings.sections import (
    ApiSettings,
    BotSettings,
    DatabaseSettings,
    InferenceSettings,
    MediaSettings,
    ObservabilitySettings,
    PublishingSettings,
    QueueSettings,
    SecuritySettings,
    StorageSettings,
)

__all__ = ["ConfigError", "Profile", "Settings", "default_data_dir", "load_settings"]


def default_data_dir(env: Mapping[str, str]) -> Path:
    """Per-user data folder: $XDG_DATA_HOME/clipnet, else ~/.local/share/clipnet."""
    base = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base).expanduser() / "clipnet"


@attrs.frozen
class Settings:
    profile: Profile
    data_dir: Path
    log_level: str
    database: DatabaseSettings
    queue: QueueSettings
    storage: StorageSettings
    publishing: PublishingSettings
    inference: InferenceSettings
    media: MediaSettings
    api: ApiSettings
    observability: ObservabilitySettings
    security: SecuritySettings
    bot: BotSettings

    @property
    def sessions_redis_url(self) -> str:
        """Redis for sessions and rate limits: CLIPNET_SESSIONS_REDIS_URL, else the queue's."""
        return self.security.sessions_redis_url or self.queue.redis_url

    def describe(self) -> list[tuple[str, str, str]]:
        """(variable, effective value with secrets masked, doc) for every setting."""
        rows = [
            ("CLIPNET_PROFILE", self.profile.value, "embedded, staging or production"),
            ("CLIPNET_DATA_DIR", str(self.data_dir), "Where the embedded default keeps its data"),
            ("CLIPNET_LOG_LEVEL", self.log_level, "DEBUG, INFO, WARNING or ERROR"),
        ]
        for section in (
            self.database,
            self.queue,
            self.storage,
            self.publishing,
            self.inference,
            self.media,
            self.api,
            self.observability,
            self.security,
            self.bot,
        ):
            rows.extend(describe_section(section))
        return rows


_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Settings from ``env`` (default: the process environment). Raises :class:`ConfigError`."""
    env = os.environ if env is None else env
    raw_profile = env.get("CLIPNET_PROFILE", "").strip() or "embedded"
    try:
        profile = as_enum(Profile)(raw_profile)
    except ValueError as error:
        raise ConfigError(f"CLIPNET_PROFILE: {error} (got {raw_profile!r})") from None
    raw_dir = env.get("CLIPNET_DATA_DIR", "").strip()
    data_dir = as_path(raw_dir) if raw_dir else default_data_dir(env)
    log_level = (env.get("CLIPNET_LOG_LEVEL", "").strip() or "INFO").upper()
    if log_level not in _LOG_LEVELS:
        raise ConfigError(f"CLIPNET_LOG_LEVEL: expected one of {', '.join(_LOG_LEVELS)}")
    context = Context(profile, data_dir)
    settings = Settings(
        profile=profile,
        data_dir=data_dir,
        log_level=log_level,
        database=load_section(DatabaseSettings, env, context),
        queue=load_section(QueueSettings, env, context),
        storage=load_section(StorageSettings, env, context),
        publishing=load_section(PublishingSettings, env, context),
        inference=load_section(InferenceSettings, env, context),
        media=load_section(MediaSettings, env, context),
        api=load_section(ApiSettings, env, context),
        observability=load_section(ObservabilitySettings, env, context),
        security=load_section(SecuritySettings, env, context),
        bot=load_section(BotSettings, env, context),
    )
    for field in attrs.fields(Settings):
        check_section(getattr(settings, field.name))
    return settings
