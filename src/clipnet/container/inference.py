"""Inference: speech (faster-whisper, RunPod or none) and vision (BLIP/CLIP/motion, in this
process or on RunPod), chosen by ``CLIPNET_INFERENCE``; also the GPU server's engine, which the
inference server's entry point builds from the same settings."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import attrs
from dependency_injector import providers

from clipnet.adapters.inference.engine import InferenceEngine
from clipnet.adapters.inference.namespaces import LocalFolders, NamespaceFolders
from clipnet.adapters.inference.scorer import EngineBackend, FallbackVisionScorer
from clipnet.adapters.inference.vision_models import Captioner, ClipMatcher, Lazy
from clipnet.adapters.memory.inference import NoTranscriber
from clipnet.adapters.runpod.client import RunPodClient
from clipnet.adapters.runpod.inference import RunPodTranscriber, RunPodVisionBackend
from clipnet.adapters.whisper_local import FasterWhisperTranscriber, WhisperOptions, local_file
from clipnet.adapters.whisper_model import SpeechModelChoice, choose_speech_model
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


def speech_model_for(settings: InferenceSettings) -> SpeechModelChoice:
    """The local speech model: as configured, or the one installed here (``auto``)."""
    if settings.backend == "runpod":
        return SpeechModelChoice(f"Whisper on RunPod (endpoint {settings.runpod_endpoint})")
    return choose_speech_model(settings.whisper_model)


def whisper(settings: InferenceSettings, model: SpeechModelChoice) -> FasterWhisperTranscriber:
    assert model.locate is not None
    options = WhisperOptions(
        batch_size=settings.whisper_batch_size,
        language=settings.whisper_language or None,
        pack=settings.whisper_pack,
    )
    return FasterWhisperTranscriber(model.locate, options, resolve=local_file)


def transcriber_for(
    settings: InferenceSettings,
    storage: ObjectStorage | None = None,
    model: SpeechModelChoice | None = None,
) -> Transcriber:
    """RunPod when ``CLIPNET_INFERENCE=runpod``; else faster-whisper if there is a model (it
    says once, in the log, when there is none and how to turn speech on)."""
    if settings.backend == "runpod":
        return RunPodTranscriber(runpod_client(settings), settings.runpod_timeout, storage)
    model = model or speech_model_for(settings)
    if model.on:
        log.info("speech model: %s", model.label)
        return whisper(settings, model)
    log.info(model.off_reason)
    return NoTranscriber()


def _lazy(name: str, build: Callable[[str], Any]) -> Lazy:
    return Lazy((lambda: build(name)) if name else None)


def engine(settings: InferenceSettings, folders: NamespaceFolders) -> InferenceEngine:
    """An engine whose models load on first use."""
    speech = choose_speech_model(settings.whisper_model)
    return InferenceEngine(
        folders,
        transcriber=Lazy((lambda: whisper(settings, speech)) if speech.on else None),
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


@attrs.frozen
class ModelsInUse:
    """What a run's inference is made of, in words for the person running it."""

    speech: str
    """The speech model, or why speech is off and how to turn it on."""
    vision: str
    speech_on: bool


def models_in_use(settings: InferenceSettings, speech: SpeechModelChoice) -> ModelsInUse:
    where = "on RunPod" if settings.backend == "runpod" else "on this machine"
    models = [
        f"{kind} {name}"
        for kind, name in (("BLIP", settings.blip_model), ("CLIP", settings.clip_model))
        if name
    ]
    vision = (
        f"{' + '.join(models)} {where}"
        if models
        else "off: clips are scored on sound, motion and cuts (CLIPNET_CLIP_MODEL and "
        "CLIPNET_BLIP_MODEL add vision models)"
    )
    return ModelsInUse(speech.label if speech.on else speech.off_reason, vision, speech.on)


class InferenceContainer(JobsContainer):
    __self__ = JobsContainer.__self__
    speech_model = providers.Singleton(speech_model_for, JobsContainer.settings.provided.inference)
    transcriber = providers.Singleton(
        transcriber_for,
        JobsContainer.settings.provided.inference,
        JobsContainer.storage,
        speech_model,
    )
    models_in_use = providers.Singleton(
        models_in_use, JobsContainer.settings.provided.inference, speech_model
    )
    vision = providers.Singleton(
        vision_scorer_for, JobsContainer.settings.provided.inference, JobsContainer.storage
    )
