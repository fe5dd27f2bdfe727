"""Loopback HTTP servers speaking the subset of a provider's protocol that an adapter uses."""
