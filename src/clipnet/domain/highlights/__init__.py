"""Highlights: features, candidates, scoring, templates, metadata, transcripts; one service."""
