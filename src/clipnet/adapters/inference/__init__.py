"""Inference on this machine: Whisper, BLIP captions, CLIP similarity and tags, motion.

The GPU server (``clipnet.entrypoints.inference``) and the local CPU adapters share this code:
:class:`~clipnet.adapters.inference.engine.InferenceEngine` validates a task's input and runs
it; the heavy libraries (torch, transformers) are imported only when a model is first used.
"""
