"""What ClipNET knows about a media file, independent of the tool that measured it."""

from __future__ import annotations

import attrs


@attrs.frozen
class MediaInfo:
    """The result of probing a media file."""

    duration: float
    """Seconds."""
    has_video: bool
    has_audio: bool
    width: int = 0
    height: int = 0
    fps: float = 0.0
    rotation: int = 0
    """Degrees clockwise the picture must be turned for display (0, 90, 180, 270)."""
    video_codec: str = ""
    audio_codec: str = ""
    format_name: str = ""

    @property
    def display_size(self) -> tuple[int, int]:
        """Width and height as shown, after rotation."""
        if self.rotation % 180 == 90:
            return self.height, self.width
        return self.width, self.height
