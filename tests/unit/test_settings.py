from __future__ import annotations

from pathlib import Path

import pytest

from clipnet.adapters.oauth_providers import DEFAULT_ENDPOINTS, REVOKE_URLS, provider_endpoints
from clipnet.adapters.publishing.http import PlatformHttp
from clipnet.adapters.publishing.youtube import YOUTUBE_API_BASE, YouTubePublisher
from clipnet.domain.shared.platforms import Platform
from clipnet.ports.oauth import ProviderEndpoints
from clipnet.settings import ConfigError, Profile, load_settings
from clipnet.settings.oauth import PROVIDERS

#: Well-formed values for the settings staging and production require.
KEY_1 = "x" * 43 + "="  # 32 bytes in URL-safe base64, as a Fernet key
KEY_2 = "y" * 43 + "="
CLOUDINARY = "cloudinary://key:secret@demo"


def test_the_embedded_default_needs_no_settings(tmp_path: Path) -> None:
    settings = load_settings({"XDG_DATA_HOME": str(tmp_path)})
    assert settings.profile is Profile.EMBEDDED
    assert settings.data_dir == tmp_path / "clipnet"
    assert settings.database.url == f"sqlite:///{tmp_path / 'clipnet' / 'clipnet.db'}"
    assert (settings.queue.backend, settings.storage.backend) == ("inprocess", "local")


def test_staging_uses_the_servers_and_its_own_folders() -> None:
    settings = load_settings(
        {
            "CLIPNET_PROFILE": "staging",
            "CLIPNET_DATABASE_URL": "postgresql+psycopg://clip@db.internal/clipnet",
            "CLIPNET_SECRET_KEYS": f"{KEY_1},{KEY_2}",
            "CLIPNET_CLOUDINARY_URL": CLOUDINARY,
        }
    )
    assert (settings.queue.backend, settings.storage.backend) == ("dramatiq", "cloudinary")
    assert settings.storage.folder == "staging_clips"
    assert settings.inference.namespace == "staging"
    assert settings.security.secret_keys == (KEY_1, KEY_2)


def test_production_differs_from_staging_only_by_configuration() -> None:
    base = {
        "CLIPNET_DATABASE_URL": "postgresql://db/x",
        "CLIPNET_SECRET_KEYS": KEY_1,
        "CLIPNET_CLOUDINARY_URL": CLOUDINARY,
    }
    prod = load_settings({**base, "CLIPNET_PROFILE": "production"})
    assert (prod.storage.folder, prod.inference.namespace) == ("prod_clips", "production")
    assert prod.queue.namespace == "clipnet-production"


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"CLIPNET_PROFILE": "dev"}, "CLIPNET_PROFILE"),
        ({"CLIPNET_DATABASE_URL": "mysql://db/x"}, "CLIPNET_DATABASE_URL"),
        ({"CLIPNET_DATABASE_URL": "postgresql:///nohost"}, "CLIPNET_DATABASE_URL"),
        ({"CLIPNET_REDIS_URL": "http://redis"}, "CLIPNET_REDIS_URL"),
        ({"CLIPNET_PORT": "eighty"}, "CLIPNET_PORT"),
        ({"CLIPNET_WORKER_CONCURRENCY": "0"}, "CLIPNET_WORKER_CONCURRENCY"),
        ({"CLIPNET_QUEUE": "celery"}, "CLIPNET_QUEUE"),
        ({"CLIPNET_AUTO_POST": "maybe"}, "CLIPNET_AUTO_POST"),
        ({"CLIPNET_LOG_LEVEL": "loud"}, "CLIPNET_LOG_LEVEL"),
        ({"CLIPNET_MIN_RELATIVE_SCORE": "1.5"}, "CLIPNET_MIN_RELATIVE_SCORE"),
        ({"CLIPNET_LOG_FORMAT": "yaml"}, "CLIPNET_LOG_FORMAT"),
        ({"CLIPNET_METRICS": "sometimes"}, "CLIPNET_METRICS"),
        ({"CLIPNET_CHAT_DELAY": "soon"}, "CLIPNET_CHAT_DELAY"),
        ({"CLIPNET_CHAT_DELAY": "90"}, "CLIPNET_CHAT_DELAY"),
        ({"CLIPNET_PROFILE": "staging"}, "CLIPNET_DATABASE_URL"),
        (
            {"CLIPNET_PROFILE": "staging", "CLIPNET_DATABASE_URL": "postgresql://db/x"},
            "CLIPNET_SECRET_KEYS",
        ),
    ],
)
def test_a_bad_or_missing_setting_fails_naming_its_variable(
    env: dict[str, str], named: str
) -> None:
    with pytest.raises(ConfigError, match=named):
        load_settings(env)


def test_described_settings_mask_secrets_and_url_passwords() -> None:
    settings = load_settings(
        {
            "CLIPNET_DATABASE_URL": "postgresql://clip:hunter2@db.internal/clipnet",
            "CLIPNET_RUNPOD_API_KEY": "rp_live_0123456789",
            "CLIPNET_CLOUDINARY_URL": "cloudinary://123:s3cr3t@demo",
            "CLIPNET_METRICS_TOKEN": "scrape-me",
        }
    )
    shown = dict((name, value) for name, value, _ in settings.describe())
    text = "\n".join(shown.values())
    for secret in ("hunter2", "rp_live_0123456789", "s3cr3t", "scrape-me"):
        assert secret not in text
    assert shown["CLIPNET_DATABASE_URL"] == "postgresql://clip:****@db.internal/clipnet"
    assert shown["CLIPNET_REDIS_URL"] == "redis://127.0.0.1:6379/0"


def _endpoints(**env: str) -> dict[Platform, ProviderEndpoints]:
    security = load_settings({"CLIPNET_OAUTH_CLIENTS": "twitch=id:secret", **env}).security
    return provider_endpoints(security.oauth_clients, security.oauth_endpoints)


def test_an_oauth_provider_revokes_at_its_real_endpoint_unless_moved_without_one() -> None:
    base = "http://127.0.0.1:9"
    moved = f"twitch={base}/a|{base}/t|{base}/u"

    real = _endpoints()[Platform.TWITCH]
    assert real.revoke_url == "https://id.twitch.tv/oauth2/revoke"
    assert _endpoints(CLIPNET_OAUTH_ENDPOINTS=moved)[Platform.TWITCH].revoke_url == ""
    with_revoke = _endpoints(CLIPNET_OAUTH_ENDPOINTS=f"{moved}|{base}/r")[Platform.TWITCH]
    assert (with_revoke.token_url, with_revoke.revoke_url) == (f"{base}/t", f"{base}/r")
    with pytest.raises(ConfigError, match=r"CLIPNET_OAUTH_ENDPOINTS.*\[\|REVOKE_URL\]"):
        _endpoints(CLIPNET_OAUTH_ENDPOINTS=f"{moved}|{base}/r|{base}/x")


def test_every_configurable_oauth_provider_has_documented_endpoints_and_scopes() -> None:
    assert set(DEFAULT_ENDPOINTS) == set(REVOKE_URLS) == set(PROVIDERS)
    assert all(scopes for *_urls, scopes in DEFAULT_ENDPOINTS.values())


def test_provider_base_urls_are_empty_unless_moved_and_the_adapters_fill_them_in() -> None:
    settings = load_settings({})
    assert (settings.publishing.youtube_api_base, settings.bot.twitch_api_url) == ("", "")
    moved = load_settings({"CLIPNET_YOUTUBE_API_BASE": "http://127.0.0.1:9"})
    assert moved.publishing.youtube_api_base == "http://127.0.0.1:9"
    assert YouTubePublisher(PlatformHttp("YouTube"))._base == YOUTUBE_API_BASE


STAGING = {
    "CLIPNET_PROFILE": "staging",
    "CLIPNET_DATABASE_URL": "memory://",
    "CLIPNET_SECRET_KEYS": KEY_1,
    "CLIPNET_CLOUDINARY_URL": CLOUDINARY,
}


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, ("memory", "memory")),
        (STAGING, ("redis", "redis")),
        ({**STAGING, "CLIPNET_PROFILE": "production"}, ("redis", "redis")),
        ({**STAGING, "CLIPNET_SESSIONS": "memory"}, ("memory", "redis")),
        ({"CLIPNET_RATE_LIMITS": "redis"}, ("memory", "redis")),
    ],
)
def test_sessions_and_rate_limits_have_settings_of_their_own(
    env: dict[str, str], expected: tuple[str, str]
) -> None:
    security = load_settings(env).security
    assert (security.sessions, security.rate_limits) == expected


def test_sessions_share_the_queues_redis_unless_given_their_own() -> None:
    queue_redis = "redis://queue.internal:6379/0"
    settings = load_settings({**STAGING, "CLIPNET_REDIS_URL": queue_redis})
    assert settings.sessions_redis_url == queue_redis
    own = load_settings({**STAGING, "CLIPNET_SESSIONS_REDIS_URL": "redis://s.internal/1"})
    assert own.sessions_redis_url == "redis://s.internal/1"
    with pytest.raises(ConfigError, match="CLIPNET_SESSIONS_REDIS_URL"):
        load_settings({"CLIPNET_SESSIONS_REDIS_URL": "http://nope"})
    with pytest.raises(ConfigError, match="CLIPNET_SESSIONS"):
        load_settings({"CLIPNET_SESSIONS": "dramatiq"})


def test_the_new_settings_are_documented() -> None:
    shown = {name for name, _value, doc in load_settings({}).describe() if doc}
    assert {"CLIPNET_SESSIONS", "CLIPNET_RATE_LIMITS", "CLIPNET_SESSIONS_REDIS_URL"} <= shown


# -- mistakes caught at start (issue 13) ---------------------------------------------------------


@pytest.mark.parametrize("profile", ["staging", "production"])
def test_cloudinary_storage_without_its_url_fails_at_start_naming_the_variable(
    profile: str,
) -> None:
    env = {**STAGING, "CLIPNET_PROFILE": profile}
    del env["CLIPNET_CLOUDINARY_URL"]
    with pytest.raises(ConfigError, match="CLIPNET_CLOUDINARY_URL must be set"):
        load_settings(env)
    with pytest.raises(ConfigError, match="CLIPNET_CLOUDINARY_URL must be set"):
        load_settings({**env, "CLIPNET_CLOUDINARY_URL": ""})
    assert load_settings({**env, "CLIPNET_STORAGE": "local"}).storage.cloudinary_url == ""


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("CLIPNET_CLOUDINARY_URL", "cloudinary://key@demo"),  # no secret
        ("CLIPNET_CLOUDINARY_URL", "cloudinary://key:secret@"),  # no cloud
        ("CLIPNET_DISCORD_PUBLIC_KEY", "PLACEHOLDER"),
        ("CLIPNET_DISCORD_PUBLIC_KEY", "ab" * 31),  # 31 bytes
        ("CLIPNET_DISCORD_PUBLIC_KEY", "zz" * 32),  # not hex
        ("CLIPNET_TWITCH_EVENTSUB_SECRET", "short"),  # Twitch wants 10 to 100
        ("CLIPNET_TWITCH_EVENTSUB_SECRET", "s" * 101),
        ("CLIPNET_TWITCH_EVENTSUB_SECRET", "secret-with-é-inside"),
        ("CLIPNET_SECRET_KEYS", "PLACEHOLDER"),
        ("CLIPNET_SECRET_KEYS", f"{KEY_1},not-a-key"),
    ],
)
def test_a_malformed_key_or_secret_fails_at_start_naming_its_variable(
    variable: str, value: str
) -> None:
    with pytest.raises(ConfigError, match=variable) as raised:
        load_settings({**STAGING, variable: value})
    if variable != "CLIPNET_DISCORD_PUBLIC_KEY":  # a public key is no secret
        assert value not in str(raised.value)


def test_well_formed_webhook_keys_are_accepted() -> None:
    key = "0123456789ABCDEF" * 4
    bot = load_settings(
        {"CLIPNET_DISCORD_PUBLIC_KEY": key, "CLIPNET_TWITCH_EVENTSUB_SECRET": "s" * 10}
    ).bot
    assert (bot.discord_public_key, bot.twitch_eventsub_secret) == (key.lower(), "s" * 10)
    unset = load_settings({"CLIPNET_DISCORD_PUBLIC_KEY": " "}).bot
    assert (unset.discord_public_key, unset.twitch_eventsub_secret) == ("", "")


def test_an_empty_vision_model_means_off_even_where_the_profile_has_one() -> None:
    on = load_settings(STAGING).inference
    assert on.blip_model and on.clip_model
    off = load_settings({**STAGING, "CLIPNET_BLIP_MODEL": "", "CLIPNET_CLIP_MODEL": " "}).inference
    assert (off.blip_model, off.clip_model) == ("", "")
    only_clip = load_settings({**STAGING, "CLIPNET_BLIP_MODEL": ""}).inference
    assert (only_clip.blip_model, only_clip.clip_model) == ("", on.clip_model)


def test_described_secrets_show_no_character_of_their_value() -> None:
    settings = load_settings(
        {
            "CLIPNET_RUNPOD_API_KEY": "rp_live_0123456789",
            "CLIPNET_DISCORD_BOT_TOKEN": "Bot.abcdefgh.ijklmnop",
            "CLIPNET_X_BOT_TOKEN": "tiny",
        }
    )
    shown = {name: value for name, value, _ in settings.describe()}
    for name in ("CLIPNET_RUNPOD_API_KEY", "CLIPNET_DISCORD_BOT_TOKEN", "CLIPNET_X_BOT_TOKEN"):
        assert shown[name] == "set (hidden)"
    assert shown["CLIPNET_TWITCH_BOT_TOKEN"] == ""  # unset: nothing to hide


def test_the_start_up_checks_are_documented() -> None:
    docs = {name: doc for name, _value, doc in load_settings({}).describe()}
    assert "checked at start" in docs["CLIPNET_DISCORD_PUBLIC_KEY"]
    assert "checked at start" in docs["CLIPNET_CLOUDINARY_URL"]
    assert "empty = off" in docs["CLIPNET_BLIP_MODEL"]
    assert "empty = off" in docs["CLIPNET_CLIP_MODEL"]


@pytest.mark.parametrize(
    "env, public_url",
    [
        ({}, "http://127.0.0.1:8000"),
        ({"CLIPNET_PORT": "32100"}, "http://127.0.0.1:32100"),
        ({"CLIPNET_HOST": "0.0.0.0", "CLIPNET_PORT": "9000"}, "http://127.0.0.1:9000"),
        ({"CLIPNET_HOST": "::", "CLIPNET_PORT": "9000"}, "http://[::1]:9000"),
        ({"CLIPNET_HOST": "::1"}, "http://[::1]:8000"),
        ({"CLIPNET_HOST": "clips.lan", "CLIPNET_PORT": "80"}, "http://clips.lan:80"),
        (
            {"CLIPNET_PUBLIC_URL": "https://clips.example", "CLIPNET_PORT": "9000"},
            "https://clips.example",
        ),
    ],
)
def test_the_public_url_defaults_to_where_serve_listens(
    tmp_path: Path, env: dict[str, str], public_url: str
) -> None:
    settings = load_settings({"CLIPNET_DATA_DIR": str(tmp_path), **env})
    assert settings.api.public_url == public_url
    shown = dict((name, value) for name, value, _ in settings.describe())
    assert shown["CLIPNET_PUBLIC_URL"] == public_url  # clipnet config shows the one in use


def test_metrics_are_on_when_embedded_and_opt_in_on_shared_deployments() -> None:
    staging = {
        "CLIPNET_PROFILE": "staging",
        "CLIPNET_DATABASE_URL": "postgresql://db/x",
        "CLIPNET_SECRET_KEYS": "x" * 43 + "=",
        "CLIPNET_STORAGE": "local",
    }
    assert load_settings({}).observability.metrics is True
    assert load_settings(staging).observability.metrics is False
    assert load_settings({**staging, "CLIPNET_METRICS": "on"}).observability.metrics is True
    assert load_settings({}).observability.log_format == "text"


def test_allowed_source_addresses_must_be_addresses_or_networks() -> None:
    good = load_settings({"CLIPNET_ALLOWED_SOURCE_ADDRESSES": "10.1.2.0/24, 127.0.0.2"})
    assert good.api.allowed_source_addresses == ("10.1.2.0/24", "127.0.0.2")
    with pytest.raises(ConfigError, match="CLIPNET_ALLOWED_SOURCE_ADDRESSES: 'intranet' is not"):
        load_settings({"CLIPNET_ALLOWED_SOURCE_ADDRESSES": "10.0.0.0/8,intranet"})


def test_source_links_are_allowed_from_the_vod_sites_by_default() -> None:
    hosts = load_settings({}).api.allowed_source_hosts
    assert hosts == ("twitch.tv", "youtube.com", "youtu.be", "kick.com")
