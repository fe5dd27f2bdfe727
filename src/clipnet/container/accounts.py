"""Accounts: passwords, tokens, sessions and rate limits (``CLIPNET_SESSIONS``,
``CLIPNET_RATE_LIMITS``: memory or Redis), and OAuth links to the platforms (their one-time
states are spent where the sessions live)."""

from __future__ import annotations

from datetime import timedelta

from dependency_injector import providers

from clipnet.adapters.memory.rate_limits import InMemoryRateLimiter
from clipnet.adapters.memory.sessions import InMemoryNonceStore, InMemorySessionStore
from clipnet.adapters.oauth_http import HttpOAuthClient
from clipnet.adapters.oauth_providers import provider_endpoints
from clipnet.adapters.passwords import Argon2PasswordHasher
from clipnet.adapters.redis_rate_limits import RedisRateLimiter
from clipnet.adapters.redis_sessions import RedisNonceStore, RedisSessionStore
from clipnet.adapters.tokens import HmacAccessTokens
from clipnet.container.core import redis_client, secret_keys
from clipnet.container.inference import InferenceContainer
from clipnet.domain.accounts.oauth_linking import OAuthLinking
from clipnet.domain.accounts.service import AccountService, AttemptLimit, TokenPolicy
from clipnet.settings import Settings
from clipnet.settings.sections import SecuritySettings

#: The window, in seconds, that ``CLIPNET_AUTH_RATE_LIMIT`` attempts are counted over.
AUTH_WINDOW_SECONDS = 60


def token_policy(security: SecuritySettings) -> TokenPolicy:
    return TokenPolicy(
        access_ttl=timedelta(minutes=security.access_token_minutes),
        refresh_ttl=timedelta(days=security.refresh_token_days),
    )


def attempt_limit(security: SecuritySettings) -> AttemptLimit:
    return AttemptLimit(security.auth_rate_limit, AUTH_WINDOW_SECONDS)


def sessions_redis_url(settings: Settings) -> str:
    return settings.sessions_redis_url


class AccountsContainer(InferenceContainer):
    __self__ = InferenceContainer.__self__
    security = InferenceContainer.settings.provided.security
    key_namespace = InferenceContainer.settings.provided.queue.namespace

    password_hasher = providers.Singleton(Argon2PasswordHasher)
    access_tokens = providers.Singleton(
        HmacAccessTokens, providers.Callable(secret_keys, InferenceContainer.settings)
    )
    sessions_redis = providers.Resource(
        redis_client, providers.Callable(sessions_redis_url, InferenceContainer.settings)
    )
    sessions = providers.Selector(
        security.sessions,
        memory=providers.Singleton(InMemorySessionStore),
        redis=providers.Singleton(RedisSessionStore, sessions_redis, key_namespace),
    )
    nonces = providers.Selector(
        security.sessions,
        memory=providers.Singleton(InMemoryNonceStore, InferenceContainer.clock),
        redis=providers.Singleton(
            RedisNonceStore, sessions_redis, key_namespace, InferenceContainer.clock
        ),
    )
    rate_limiter = providers.Selector(
        security.rate_limits,
        memory=providers.Singleton(InMemoryRateLimiter),
        redis=providers.Singleton(RedisRateLimiter, sessions_redis, key_namespace),
    )
    accounts = providers.Singleton(
        AccountService,
        InferenceContainer.uow_factory,
        password_hasher,
        access_tokens,
        sessions,
        InferenceContainer.clock,
        InferenceContainer.ids,
        providers.Callable(token_policy, security),
        rate_limiter,
        providers.Callable(attempt_limit, security),
    )
    oauth_client = providers.Singleton(HttpOAuthClient)
    oauth = providers.Singleton(
        OAuthLinking,
        InferenceContainer.uow_factory,
        oauth_client,
        providers.Callable(provider_endpoints, security.oauth_clients, security.oauth_endpoints),
        InferenceContainer.secret_box,
        nonces,
        InferenceContainer.clock,
        InferenceContainer.ids,
    )
