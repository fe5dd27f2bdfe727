"""The subject scanner on OpenCV: faces (Haar cascades shipped in the wheel), motion, a webcam
overlay, over frames that FFmpeg decodes from the clip's span."""

from clipnet.adapters.opencv.scanner import OpencvSubjectScanner

__all__ = ["OpencvSubjectScanner"]
