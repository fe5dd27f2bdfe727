"""The media pipeline: job handlers that turn a queued clip into a video; Whisper batching."""
