"""Webhook signatures, checked against vectors computed here from fixed secrets and bodies."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import pytest
from nacl.signing import SigningKey

from clipnet.adapters.discord.interactions import verify_interaction
from clipnet.adapters.signing import SignatureInvalid, StaleDelivery
from clipnet.adapters.twitch.eventsub import verify_eventsub
from clipnet.adapters.x.webhooks import crc_response, verify_x

SECRET = "s3cr3t-eventsub-0123456789"
MESSAGE_ID = "e76c6bd4-55c9-4987-8304-da1588d8988b"
TIMESTAMP = "2026-01-01T12:00:00.123456789Z"
SENT = datetime(2026, 1, 1, 12, 0, 0, 123456, tzinfo=UTC)
BODY = b'{"subscription":{"type":"channel.chat.message"},"event":{"message":{"text":"!clip"}}}'


def flip(data: bytes, index: int = 5) -> bytes:
    """The same bytes with one bit of one byte flipped."""
    return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1 :]


def flip_text(text: str, index: int = 5) -> str:
    return flip(text.encode(), index).decode("latin-1")


def twitch_vector(message_id: str = MESSAGE_ID, timestamp: str = TIMESTAMP, body: bytes = BODY):
    digest = hmac.new(SECRET.encode(), message_id.encode() + timestamp.encode() + body, "sha256")
    return "sha256=" + digest.hexdigest()


# -- Twitch EventSub -----------------------------------------------------------------------------


def test_a_twitch_delivery_signed_with_the_secret_passes() -> None:
    verify_eventsub(SECRET, MESSAGE_ID, TIMESTAMP, BODY, twitch_vector(), SENT)


@pytest.mark.parametrize(
    "message_id, timestamp, body, signature",
    [
        pytest.param(MESSAGE_ID, TIMESTAMP, flip(BODY), twitch_vector(), id="body"),
        pytest.param(flip_text(MESSAGE_ID), TIMESTAMP, BODY, twitch_vector(), id="message id"),
        pytest.param(MESSAGE_ID, flip_text(TIMESTAMP, 18), BODY, twitch_vector(), id="timestamp"),
        pytest.param(MESSAGE_ID, TIMESTAMP, BODY, flip_text(twitch_vector(), 20), id="signature"),
        pytest.param(MESSAGE_ID, TIMESTAMP, BODY, "", id="missing signature"),
        pytest.param(MESSAGE_ID, TIMESTAMP, BODY, twitch_vector().upper(), id="upper-case hex"),
        pytest.param(MESSAGE_ID, TIMESTAMP, BODY, "sha256=\u00e9\u00e9", id="non-ascii"),
    ],
)
def test_a_twitch_delivery_with_one_flipped_byte_fails(
    message_id: str, timestamp: str, body: bytes, signature: str
) -> None:
    with pytest.raises(SignatureInvalid):
        verify_eventsub(SECRET, message_id, timestamp, body, signature, SENT)


def test_a_twitch_delivery_signed_with_another_secret_fails() -> None:
    with pytest.raises(SignatureInvalid):
        verify_eventsub(SECRET + "x", MESSAGE_ID, TIMESTAMP, BODY, twitch_vector(), SENT)


def test_a_twitch_delivery_exactly_ten_minutes_old_passes() -> None:
    verify_eventsub(
        SECRET, MESSAGE_ID, TIMESTAMP, BODY, twitch_vector(), SENT + timedelta(minutes=10)
    )


def test_a_twitch_delivery_ten_minutes_and_one_second_old_fails() -> None:
    now = SENT + timedelta(minutes=10, seconds=1)
    with pytest.raises(StaleDelivery):
        verify_eventsub(SECRET, MESSAGE_ID, TIMESTAMP, BODY, twitch_vector(), now)


def test_a_twitch_delivery_dated_far_in_the_future_fails() -> None:
    now = SENT - timedelta(minutes=11)
    with pytest.raises(StaleDelivery):
        verify_eventsub(SECRET, MESSAGE_ID, TIMESTAMP, BODY, twitch_vector(), now)


def test_a_signed_twitch_delivery_with_a_malformed_timestamp_fails() -> None:
    timestamp = "yesterday"
    signature = twitch_vector(timestamp=timestamp)
    with pytest.raises(SignatureInvalid):
        verify_eventsub(SECRET, MESSAGE_ID, timestamp, BODY, signature, SENT)


def test_a_re_serialised_twitch_body_fails_although_it_holds_the_same_data() -> None:
    same_data = json.dumps(json.loads(BODY), indent=1).encode()
    assert json.loads(same_data) == json.loads(BODY) and same_data != BODY
    with pytest.raises(SignatureInvalid):
        verify_eventsub(SECRET, MESSAGE_ID, TIMESTAMP, same_data, twitch_vector(), SENT)


# -- Discord interactions (Ed25519) --------------------------------------------------------------

SIGNING_KEY = SigningKey(hashlib.sha256(b"clipnet discord test key").digest())
PUBLIC_KEY = SIGNING_KEY.verify_key.encode().hex()
DISCORD_TIMESTAMP = "1767268800"
DISCORD_BODY = b'{"type":2,"id":"1","data":{"name":"clip"}}'
DISCORD_SENT = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
"""``DISCORD_TIMESTAMP`` as a moment."""


def discord_vector(timestamp: str = DISCORD_TIMESTAMP, body: bytes = DISCORD_BODY) -> str:
    return SIGNING_KEY.sign(timestamp.encode() + body).signature.hex()


def test_a_discord_interaction_signed_by_the_application_key_passes() -> None:
    verify_interaction(PUBLIC_KEY, discord_vector(), DISCORD_TIMESTAMP, DISCORD_BODY, DISCORD_SENT)


@pytest.mark.parametrize(
    "public_key, signature, timestamp, body",
    [
        pytest.param(
            PUBLIC_KEY, discord_vector(), DISCORD_TIMESTAMP, flip(DISCORD_BODY), id="body"
        ),
        pytest.param(
            PUBLIC_KEY,
            discord_vector(),
            flip_text(DISCORD_TIMESTAMP, 9),
            DISCORD_BODY,
            id="timestamp",
        ),
        pytest.param(
            PUBLIC_KEY,
            flip(bytes.fromhex(discord_vector()), 10).hex(),
            DISCORD_TIMESTAMP,
            DISCORD_BODY,
            id="signature",
        ),
        pytest.param(PUBLIC_KEY, "zz", DISCORD_TIMESTAMP, DISCORD_BODY, id="signature not hex"),
        pytest.param(PUBLIC_KEY, "", DISCORD_TIMESTAMP, DISCORD_BODY, id="no signature"),
        pytest.param(
            SigningKey(b"\x01" * 32).verify_key.encode().hex(),
            discord_vector(),
            DISCORD_TIMESTAMP,
            DISCORD_BODY,
            id="other key",
        ),
        pytest.param("abc", discord_vector(), DISCORD_TIMESTAMP, DISCORD_BODY, id="bad key"),
        pytest.param(
            PUBLIC_KEY,
            discord_vector(),
            DISCORD_TIMESTAMP,
            json.dumps(json.loads(DISCORD_BODY)).encode(),
            id="re-serialised body",
        ),
    ],
)
def test_a_discord_interaction_with_a_changed_part_fails(
    public_key: str, signature: str, timestamp: str, body: bytes
) -> None:
    with pytest.raises(SignatureInvalid):
        verify_interaction(public_key, signature, timestamp, body, DISCORD_SENT)


def test_the_discord_vector_is_the_ed25519_signature_of_timestamp_and_body() -> None:
    # given the key's own check, independent of the adapter
    message = DISCORD_TIMESTAMP.encode() + DISCORD_BODY
    assert SIGNING_KEY.verify_key.verify(message, bytes.fromhex(discord_vector())) == message
    assert DISCORD_SENT.timestamp() == int(DISCORD_TIMESTAMP)


def test_a_discord_interaction_exactly_ten_minutes_old_passes() -> None:
    now = DISCORD_SENT + timedelta(minutes=10)
    verify_interaction(PUBLIC_KEY, discord_vector(), DISCORD_TIMESTAMP, DISCORD_BODY, now)


def test_a_discord_interaction_ten_minutes_and_one_second_old_fails() -> None:
    now = DISCORD_SENT + timedelta(minutes=10, seconds=1)
    with pytest.raises(StaleDelivery):
        verify_interaction(PUBLIC_KEY, discord_vector(), DISCORD_TIMESTAMP, DISCORD_BODY, now)


def test_a_discord_interaction_dated_far_in_the_future_fails() -> None:
    now = DISCORD_SENT - timedelta(minutes=11)
    with pytest.raises(StaleDelivery):
        verify_interaction(PUBLIC_KEY, discord_vector(), DISCORD_TIMESTAMP, DISCORD_BODY, now)


def test_a_signed_discord_interaction_with_a_malformed_timestamp_fails() -> None:
    signature = discord_vector(timestamp="soon")
    with pytest.raises(SignatureInvalid):
        verify_interaction(PUBLIC_KEY, signature, "soon", DISCORD_BODY, DISCORD_SENT)


# -- X (Account Activity) ------------------------------------------------------------------------
# X signs the raw body only: there is no signed message id or timestamp to flip or age, so
# replays are stopped by de-duplicating events by id (tests/integration/bot/test_webhooks.py).

X_SECRET = "x-consumer-secret-0123456789"
X_BODY = b'{"for_user_id":"42","tweet_create_events":[{"id_str":"7","text":"@bot !help"}]}'


def x_vector(body: bytes = X_BODY) -> str:
    digest = hmac.new(X_SECRET.encode(), body, hashlib.sha256).digest()
    return "sha256=" + base64.b64encode(digest).decode()


def test_the_x_crc_answer_is_the_base64_hmac_of_the_token() -> None:
    token = "challenge-token-123"
    expected = base64.b64encode(
        hmac.new(X_SECRET.encode(), token.encode(), hashlib.sha256).digest()
    ).decode()
    assert crc_response(X_SECRET, token) == {"response_token": f"sha256={expected}"}


def test_an_x_delivery_signed_with_the_consumer_secret_passes() -> None:
    verify_x(X_SECRET, X_BODY, x_vector())


@pytest.mark.parametrize(
    "body, signature",
    [
        pytest.param(flip(X_BODY), x_vector(), id="body"),
        pytest.param(X_BODY, flip_text(x_vector(), 12), id="signature"),
        pytest.param(X_BODY, "", id="missing"),
        pytest.param(json.dumps(json.loads(X_BODY), indent=2).encode(), x_vector(), id="json"),
    ],
)
def test_an_x_delivery_with_a_changed_part_fails(body: bytes, signature: str) -> None:
    with pytest.raises(SignatureInvalid):
        verify_x(X_SECRET, body, signature)
