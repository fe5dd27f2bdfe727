"""Accounts: users, sessions and tokens, linked platform accounts (OAuth)."""
