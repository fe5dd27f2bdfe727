"""Inference: speech (faster-whisper, RunPod or none) and vision (BLIP/CLIP/motion, in this
process or on RunPod), chosen by ``CLIPNET_INFERENCE``; also the GPU server's engine, which the
inference server's entry point builds from the same settings."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from dependency_injector import providers

from clipnet.adapters.inference.engine import InferenceEngine
from clipnet.adapters.inference.namespaces import LocalFolders, NamespaceFolders
from clipnet.adapters.inference.scorer import EngineBackend, FallbackVisionScorer
from clipnet.adapters.inference.vision_models import Captioner, ClipMatcher, Lazy
from clipnet.adapters.memory.inference import NoTranscriber
from clipnet.adapters.runpod.client import RunPodClient
from clipnet.adapters.runpod.inference import RunPodTranscriber, RunPodVisionBackend
from clipnet.adapters.whisper_local import FasterWhisperTranscriber, WhisperOptions, local_file
from clipnet.container.jobs import JobsContainer
from clipnet.ports.storage import ObjectStorage
from clipnet.ports.transcriber import Transcriber
from clipnet.ports.vision import VisionScorer
from clipnet.settings.sections import InferenceSettings

log = logging.getLogger(__name__)


def runpod_client(settings: InferenceSettings) -> RunPodClient:
    return RunPodClient(
        settings.runpod_base_url,
        settings.runpod_endpoint,
        settings.runpod_api_key,
        settings.namespace,
        timeout=settings.runpod_timeout,
    )


def whisper(settings: InferenceSettings) -> FasterWhisperTranscriber:
    options = WhisperOptions(
        batch_size=settings.whisper_batch_size,
        language=settings.whisper_language or None,
        pack=settings.whisper_pack,
    )
    return FasterWhisperTranscriber(settings.whisper_model, options, resolve=local_file)


def transcriber_for(
    settings: InferenceSettings, storage: ObjectStorage | None = None
) -> Transcriber:
    """RunPod when ``CLIPNET_INFERENCE=runpod``; else faster-whisper if a model is set."""
    if settings.backend == "runpod":
        return RunPodTranscriber(runpod_client(settings), settings.runpod_timeout, storage)
    if settings.whisper_model:
        return whisper(settings)
    log.info("no speech model configured; speech features off")
    return NoTranscriber()


def _lazy(name: str, build: Callable[[str], Any]) -> Lazy:
    return Lazy((lambda: build(name)) if name else None)


def engine(settings: InferenceSettings, folders: NamespaceFolders) -> InferenceEngine:
    """An engine whose models load on first use."""
    return InferenceEngine(
        folders,
        transcriber=Lazy((lambda: whisper(settings)) if settings.whisper_model else None),
        captioner=_lazy(settings.blip_model, Captioner.from_pretrained),
        matcher=_lazy(settings.clip_model, ClipMatcher.from_pretrained),
    )


def server_engine(settings: InferenceSettings) -> InferenceEngine:
    """The GPU server's engine: one working folder per namespace it serves."""
    return engine(settings, NamespaceFolders(settings.server_root, settings.server_namespaces))


def vision_scorer_for(
    settings: InferenceSettings, storage: ObjectStorage | None = None
) -> VisionScorer | None:
    """BLIP/CLIP/motion on RunPod or in this process; None when both models are off (empty),
    and the pipeline then scores without vision, never waiting on a model it cannot reach."""
    if not (settings.blip_model or settings.clip_model):
        return None
    if settings.backend == "runpod":
        backend: Any = RunPodVisionBackend(
            runpod_client(settings), settings.runpod_timeout, storage
        )
    else:
        folders = LocalFolders(settings.server_root, settings.namespace)
        backend = EngineBackend(engine(settings, folders), settings.namespace)
    return FallbackVisionScorer(backend, settings.caption_timeout)


class InferenceContainer(JobsContainer):
    __self__ = JobsContainer.__self__
    transcriber = providers.Singleton(
        transcriber_for, JobsContainer.settings.provided.inference, JobsContainer.storage
    )
    vision = providers.Singleton(
        vision_scorer_for, JobsContainer.settings.provided.inference, JobsContainer.storage
    )
