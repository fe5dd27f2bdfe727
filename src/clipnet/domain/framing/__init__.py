"""Framing: where in the source picture each output frame looks.

The scanner port reports what a clip's span shows (faces, motion, letterbox bars, a webcam
overlay); this context turns that into a :class:`~clipnet.domain.framing.model.Framing` that a
media adapter renders: a smoothed crop path for ``reframe``, the face-cam box for ``split``,
and the picture without its bars for every layout.
"""
