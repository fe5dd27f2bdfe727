"""Twitch: EventSub webhooks in, Helix API out (chat messages, clips)."""
