"""The inference server's handler: input validation, namespaces, and each task on real models
(the packaged Whisper base; tiny random BLIP and CLIP of the real architectures)."""

from __future__ import annotations

import functools
import http.server
import os
import threading
import wave
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from clipnet.adapters.inference.engine import InferenceEngine
from clipnet.adapters.inference.namespaces import NamespaceFolders
from clipnet.adapters.inference.vision_models import Lazy
from clipnet.adapters.whisper_local import FasterWhisperTranscriber, WhisperOptions
from clipnet.entrypoints.inference import make_handler

Handler = Callable[[dict[str, Any]], dict[str, Any]]


def build_handler(
    root: Path,
    *,
    whisper_dir: Path | None = None,
    whisper_options: WhisperOptions | None = None,
    tiny: Any = None,
) -> Handler:
    engine = InferenceEngine(
        NamespaceFolders(root, ("staging", "production")),
        transcriber=Lazy(
            (lambda: FasterWhisperTranscriber(str(whisper_dir), whisper_options))
            if whisper_dir
            else None
        ),
        captioner=Lazy((lambda: tiny.captioner) if tiny else None),
        matcher=Lazy((lambda: tiny.matcher) if tiny else None),
    )
    return make_handler(engine)  # type: ignore[return-value]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "inference"


@pytest.fixture
def handler(root: Path) -> Handler:
    return build_handler(root)


def job(**task_input: Any) -> dict[str, Any]:
    return {"id": "job-1", "input": task_input}


# -- validation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bad_job", "complaint"),
    [
        ("not a job", "JSON object"),
        ({"id": "j"}, "no input"),
        (job(namespace="staging"), "unknown task None"),
        (job(task="paint", namespace="staging"), "unknown task 'paint'"),
        (job(task="transcribe", audio=["a.wav"]), "namespace is required"),
        (job(task="transcribe", namespace="qa", audio=["a.wav"]), "unknown namespace 'qa'"),
        (job(task="transcribe", namespace="../production", audio=["a"]), "unknown namespace"),
        (job(task="transcribe", namespace="staging"), "audio must be a list"),
        (job(task="transcribe", namespace="staging", audio="a.wav"), "audio must be a list"),
        (job(task="transcribe", namespace="staging", audio=[]), "audio must not be empty"),
        (job(task="motion", namespace="staging"), "frames must be a non-empty list"),
        (job(task="motion", namespace="staging", frames=[["a"], "b"]), "frames[1]"),
        (job(task="clip_score", namespace="staging", frames=[["a"]]), "prompts must be a list"),
        (job(task="caption", namespace="staging", frames=[["a"]]), "no caption model"),
        ({"id": "j", "input": ["task", "motion"]}, "input must be a JSON object"),
    ],
)
def test_bad_input_gives_an_error_result_naming_the_problem(
    handler: Handler, bad_job: Any, complaint: str
) -> None:
    result = handler(bad_job)
    assert set(result) == {"error"}
    assert complaint in result["error"]


def test_too_many_items_are_refused(handler: Handler) -> None:
    result = handler(job(task="transcribe", namespace="staging", audio=["a.wav"] * 1000))
    assert "at most" in result["error"]


# -- namespaces -------------------------------------------------------------------------------


@pytest.fixture
def production_secret(root: Path, draw_frames: Callable[..., list[Path]]) -> Path:
    return draw_frames(root / "production" / "clips", 1)[0]


def test_a_staging_request_cannot_read_a_production_path(
    handler: Handler, root: Path, production_secret: Path
) -> None:
    (root / "staging").mkdir(parents=True, exist_ok=True)
    os.symlink(production_secret, root / "staging" / "link.jpg")
    references = [
        str(production_secret),
        production_secret.as_uri(),
        "../production/clips/" + production_secret.name,
        "link.jpg",
    ]
    result = handler(job(task="motion", namespace="staging", frames=[[r] for r in references]))
    errors = [item.get("error", "") for item in result["results"]]
    assert all("outside the 'staging' namespace" in e for e in errors), errors


def test_a_production_request_reads_its_own_files(
    handler: Handler, production_secret: Path
) -> None:
    result = handler(
        job(task="motion", namespace="production", frames=[[production_secret.as_uri()]])
    )
    assert result == {"results": [{"motion": 0.0}]}


@pytest.fixture
def media_server(tmp_path: Path) -> Iterator[str]:
    served = tmp_path / "served"
    served.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(served))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_media_fetched_by_url_is_written_only_inside_the_requests_namespace(
    handler: Handler,
    root: Path,
    tmp_path: Path,
    media_server: str,
    draw_frames: Callable[..., list[Path]],
) -> None:
    frames = draw_frames(tmp_path / "served", 2, moving=True)
    urls = [f"{media_server}/{f.name}?signature=abc" for f in frames]

    result = handler(job(task="motion", namespace="staging", frames=[urls]))

    assert result["results"][0]["motion"] > 0
    written = [p for p in root.rglob("*") if p.is_file()]
    assert len(written) == 2
    assert all(p.is_relative_to(root / "staging" / "downloads") for p in written)
    assert not (root / "production").exists()


def test_a_missing_url_fails_only_its_segment(
    handler: Handler, media_server: str, tmp_path: Path, draw_frames: Callable[..., list[Path]]
) -> None:
    frame = draw_frames(tmp_path / "served", 1)[0]
    result = handler(
        job(
            task="motion",
            namespace="staging",
            frames=[[f"{media_server}/{frame.name}"], [f"{media_server}/gone.jpg"]],
        )
    )
    ok, missing = result["results"]
    assert ok == {"motion": 0.0}
    assert "HTTP 404" in missing["error"]


# -- motion -----------------------------------------------------------------------------------


def test_motion_is_zero_for_a_still_picture_and_positive_for_a_moving_one(
    handler: Handler, root: Path, draw_frames: Callable[..., list[Path]]
) -> None:
    still = draw_frames(root / "staging" / "still", 3)
    moving = draw_frames(root / "staging" / "moving", 3, moving=True)
    result = handler(
        job(
            task="motion",
            namespace="staging",
            frames=[[str(p) for p in still], [str(p) for p in moving]],
        )
    )
    calm, busy = (item["motion"] for item in result["results"])
    assert calm == 0.0
    assert 0.0 < busy <= 1.0


# -- transcribe on the real Whisper base model --------------------------------------------------

PHRASES = {
    "one.wav": "the quick brown fox jumps over the lazy dog",
    "two.wav": "seven green apples on the kitchen table",
    "three.wav": "please call me tomorrow morning",
}


@pytest.fixture(scope="module")
def whisper_handler(
    tmp_path_factory: pytest.TempPathFactory,
    whisper_model_dir: Path,
    speak: Callable[[str, Path], Path],
) -> tuple[Handler, Path]:
    root = tmp_path_factory.mktemp("whisper-root")
    for name, text in PHRASES.items():
        speak(text, root / "staging" / name)
    return build_handler(root, whisper_dir=whisper_model_dir), root


def _duration(path: Path) -> float:
    with wave.open(str(path)) as audio:
        return audio.getnframes() / audio.getframerate()


def _words(text: str) -> set[str]:
    return {w.strip(".,!?").lower() for w in text.split()}


@pytest.mark.slow
def test_transcribe_hears_the_spoken_words_with_times_inside_the_audio(
    whisper_handler: tuple[Handler, Path],
) -> None:
    handler, root = whisper_handler
    names = list(PHRASES)

    result = handler(job(task="transcribe", namespace="staging", audio=names))

    assert len(result["results"]) == len(names)
    for name, item in zip(names, result["results"], strict=True):
        heard = _words(item["text"])
        spoken = _words(PHRASES[name])
        assert len(heard & spoken) >= len(spoken) - 2, (name, item["text"])
        assert item["language"] == "en"
        duration = _duration(root / "staging" / name)
        starts = [start for _text, start, *_rest in item["words"]]
        assert starts == sorted(starts)
        # each word: text, times, probability, then its segment's evidence for the filter
        for _text, start, end, probability, no_speech, compression, _logprob in item["words"]:
            assert 0.0 <= start <= end <= duration + 0.05
            assert 0.0 <= probability <= 1.0
            assert 0.0 <= no_speech <= 1.0 and compression > 0.0


@pytest.mark.slow
def test_transcribe_of_n_items_in_one_call_gives_the_texts_of_n_single_calls(
    whisper_handler: tuple[Handler, Path], whisper_model_dir: Path
) -> None:
    _handler, root = whisper_handler
    # Each item in a window of its own: what it gives cannot depend on the rest of the batch.
    handler = build_handler(
        root, whisper_dir=whisper_model_dir, whisper_options=WhisperOptions(pack=False)
    )
    names = list(PHRASES)

    batched = handler(job(task="transcribe", namespace="staging", audio=names))["results"]
    singles = [
        handler(job(task="transcribe", namespace="staging", audio=[n]))["results"][0] for n in names
    ]

    assert [b["text"] for b in batched] == [s["text"] for s in singles]


@pytest.mark.slow
def test_packed_items_of_one_call_each_get_their_own_words(
    whisper_handler: tuple[Handler, Path],
) -> None:
    handler, root = whisper_handler  # packing on, the default: the three share one window
    names = list(PHRASES)

    batched = handler(job(task="transcribe", namespace="staging", audio=names))["results"]

    for name, item in zip(names, batched, strict=True):
        heard = _words(item["text"])
        overlap = {other: len(heard & _words(text)) for other, text in PHRASES.items()}
        assert max(overlap, key=overlap.__getitem__) == name, (name, item["text"])
        assert overlap[name] >= len(_words(PHRASES[name])) - 2, (name, item["text"])
        duration = _duration(root / "staging" / name)
        assert all(0.0 <= start <= end <= duration for _t, start, end, *_rest in item["words"])


@pytest.mark.slow
def test_a_failed_item_in_a_transcribe_batch_fails_alone(
    whisper_handler: tuple[Handler, Path], tmp_path: Path
) -> None:
    handler, root = whisper_handler
    (root / "staging" / "noise.wav").write_bytes(b"this is not audio at all")

    result = handler(
        job(
            task="transcribe",
            namespace="staging",
            audio=["one.wav", "missing.wav", "noise.wav", "/etc/passwd"],
        )
    )

    good, missing, noise, outside = result["results"]
    assert "fox" in good["text"].lower()
    assert "no such file" in missing["error"]
    assert "error" in noise
    assert "outside the 'staging' namespace" in outside["error"]


# -- caption and clip_score on tiny random models -------------------------------------------


@pytest.fixture
def vision_handler(root: Path, tiny_vision: Any) -> Handler:
    return build_handler(root, tiny=tiny_vision)


@pytest.fixture
def segments(root: Path, draw_frames: Callable[..., list[Path]]) -> list[list[str]]:
    return [
        [str(p) for p in draw_frames(root / "staging" / f"s{seed}", count, seed=seed)]
        for seed, count in ((1, 3), (2, 1), (3, 4))
    ]


def test_caption_gives_one_text_per_frame_of_each_segment(
    vision_handler: Handler, segments: list[list[str]], tiny_vision: Any
) -> None:
    result = vision_handler(job(task="caption", namespace="staging", frames=segments))

    captions = [item["captions"] for item in result["results"]]
    assert [len(c) for c in captions] == [3, 1, 4]
    known = set(tiny_vision.vocabulary)
    for caption in (c for per_segment in captions for c in per_segment):
        assert isinstance(caption, str)
        assert set(caption.split()) <= known


def test_caption_of_n_segments_in_one_call_gives_the_texts_of_n_single_calls(
    vision_handler: Handler, segments: list[list[str]]
) -> None:
    batched = vision_handler(job(task="caption", namespace="staging", frames=segments))
    singles = [
        vision_handler(job(task="caption", namespace="staging", frames=[s]))["results"][0]
        for s in segments
    ]
    assert batched["results"] == singles


PROMPTS = ["an exciting moment in a video game", "a calm landscape"]


def test_clip_score_gives_a_similarity_per_prompt_and_tags_from_the_vocabulary(
    vision_handler: Handler, segments: list[list[str]]
) -> None:
    from clipnet.adapters.inference.vision_models import DEFAULT_TAGS

    result = vision_handler(
        job(task="clip_score", namespace="staging", frames=segments, prompts=PROMPTS)
    )

    assert len(result["results"]) == 3
    for item in result["results"]:
        assert len(item["per_prompt"]) == len(PROMPTS)
        assert all(0.0 <= s <= 1.0 for s in item["per_prompt"])
        assert item["similarity"] == max(item["per_prompt"])
        assert len(item["tags"]) == 3 and len(set(item["tags"])) == 3
        assert set(item["tags"]) <= set(DEFAULT_TAGS)


def test_clip_score_of_n_segments_in_one_call_matches_n_single_calls(
    vision_handler: Handler, segments: list[list[str]]
) -> None:
    batched = vision_handler(
        job(task="clip_score", namespace="staging", frames=segments, prompts=PROMPTS)
    )["results"]
    singles = [
        vision_handler(job(task="clip_score", namespace="staging", frames=[s], prompts=PROMPTS))[
            "results"
        ][0]
        for s in segments
    ]
    for one, alone in zip(batched, singles, strict=True):
        assert one["tags"] == alone["tags"]
        assert one["per_prompt"] == pytest.approx(alone["per_prompt"], abs=1e-5)


def test_an_unreadable_frame_fails_only_its_segment(
    vision_handler: Handler, segments: list[list[str]], root: Path
) -> None:
    broken = root / "staging" / "broken.jpg"
    broken.write_bytes(b"not an image")
    result = vision_handler(
        job(task="caption", namespace="staging", frames=[segments[0], [str(broken)]])
    )
    good, bad = result["results"]
    assert len(good["captions"]) == 3
    assert "error" in bad and "UnidentifiedImageError" in bad["error"]
