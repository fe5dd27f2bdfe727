"""X (Twitter): Account Activity webhooks in, post replies out."""
