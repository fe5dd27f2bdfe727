"""Clips: the entity, its lifecycle (the one place a status changes), the users' service."""
