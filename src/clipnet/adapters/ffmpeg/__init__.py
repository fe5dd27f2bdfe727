"""FFmpeg: the media port (probe, analysis, cuts, 9:16 polish, thumbnails) for real files."""

from clipnet.adapters.ffmpeg.processor import EncodeOptions, FfmpegMediaProcessor, MediaLimits

__all__ = ["EncodeOptions", "FfmpegMediaProcessor", "MediaLimits"]
