"""Discord: signed interactions (slash commands) in, follow-ups and channel messages out."""
