"""The vision scorer contract: the scripted stand-in, the local scorer (tiny BLIP and CLIP of
the real architectures, random weights, built offline; and without any vision model: motion
only), and the same scorer over the RunPod client against a loopback RunPod server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

from clipnet.adapters.inference.engine import InferenceEngine
from clipnet.adapters.inference.namespaces import LocalFolders, NamespaceFolders
from clipnet.adapters.inference.scorer import EngineBackend, FallbackVisionScorer
from clipnet.adapters.inference.vision_models import Lazy
from clipnet.adapters.memory.inference import ScriptedTranscriber, ScriptedVisionScorer
from clipnet.adapters.runpod.client import Backoff, RunPodClient
from clipnet.adapters.runpod.inference import RunPodVisionBackend
from clipnet.entrypoints.inference import make_handler
from clipnet.ports.vision import VisionResult, VisionScorer
from tests.integration.inference.conftest import draw_frames, tiny_vision  # noqa: F401
from tests.integration.inference.runpod_fake import running

SCORERS = ["scripted", "local", "local-motion-only", "runpod"]
PROMPTS = ["an exciting moment in a video game"]


@attrs.frozen
class ScorerUnderTest:
    scorer: VisionScorer
    segment: Callable[..., list[str]]
    """Draws a segment's frames where the scorer reads them; their references."""


@pytest.fixture(params=SCORERS)
def vision(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    draw_frames: Callable[..., list[Path]],  # noqa: F811
) -> Iterator[ScorerUnderTest]:
    def local_segment(name: str, count: int, **kwargs: Any) -> list[str]:
        return [str(p) for p in draw_frames(tmp_path / name, count, **kwargs)]

    if request.param == "scripted":
        result = VisionResult(("a dog",), ("dog", "grass"), similarity=0.4, motion=0.2)
        yield ScorerUnderTest(ScriptedVisionScorer(result), local_segment)
        return
    if request.param == "local-motion-only":
        engine = InferenceEngine(
            LocalFolders(tmp_path / "work", "embedded"),
            transcriber=Lazy(None),
            captioner=Lazy(None),
            matcher=Lazy(None),
        )
        motion_only = FallbackVisionScorer(EngineBackend(engine, "embedded"))
        yield ScorerUnderTest(motion_only, local_segment)
        return
    tiny = request.getfixturevalue("tiny_vision")
    models = {"captioner": Lazy(lambda: tiny.captioner), "matcher": Lazy(lambda: tiny.matcher)}
    if request.param == "local":
        engine = InferenceEngine(
            LocalFolders(tmp_path / "work", "embedded"), transcriber=Lazy(None), **models
        )
        scorer = FallbackVisionScorer(EngineBackend(engine, "embedded"), caption_timeout=30)
        yield ScorerUnderTest(scorer, local_segment)
        return
    root = tmp_path / "gpu"
    engine = InferenceEngine(
        NamespaceFolders(root, ("staging", "production")),
        transcriber=Lazy(lambda: ScriptedTranscriber()),
        **models,
    )

    def on_the_gpu(name: str, count: int, **kwargs: Any) -> list[str]:
        return [p.as_uri() for p in draw_frames(root / "staging" / name, count, **kwargs)]

    with running(make_handler(engine)) as server:  # type: ignore[arg-type]
        client = RunPodClient(
            server.base_url,
            server.endpoint,
            "test-key",
            "staging",
            timeout=60.0,
            poll_interval=0.02,
            backoff=Backoff(retries=2, base=0.01, cap=0.05),
        )
        scorer = FallbackVisionScorer(RunPodVisionBackend(client), caption_timeout=30)
        yield ScorerUnderTest(scorer, on_the_gpu)


def _key(result: VisionResult) -> tuple[Any, ...]:
    return (
        result.captions,
        result.tags,
        pytest.approx(result.similarity, abs=1e-4),
        pytest.approx(result.motion, abs=1e-4),
        result.used_fallback,
    )


def test_each_segment_gets_one_result_in_the_order_given(vision: ScorerUnderTest) -> None:
    still = vision.segment("still", 2, seed=1)
    moving = vision.segment("moving", 3, moving=True, seed=2)

    forward = vision.scorer.score([still, moving], PROMPTS)
    backward = vision.scorer.score([moving, still], PROMPTS)

    assert len(forward) == len(backward) == 2
    assert [_key(r) for r in forward] == [_key(r) for r in reversed(backward)]


def test_scores_are_in_range_and_a_fallback_shows_tags_as_captions(
    vision: ScorerUnderTest,
) -> None:
    segments = [
        vision.segment("a", 1, seed=3),
        vision.segment("b", 3, moving=True, seed=4),
    ]
    for result in vision.scorer.score(segments, PROMPTS):
        assert 0.0 <= result.similarity <= 1.0
        assert 0.0 <= result.motion <= 1.0
        assert all(isinstance(text, str) and text for text in (*result.captions, *result.tags))
        if result.used_fallback:
            assert result.captions == result.tags


def test_scoring_no_segments_gives_no_results(vision: ScorerUnderTest) -> None:
    assert vision.scorer.score([], PROMPTS) == []
