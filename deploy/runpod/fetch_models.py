"""Build step of deploy/runpod/Dockerfile: download the models into the image.

Each model is a Hugging Face Hub repository, fetched whole into its own folder under the
destination; the image then points CLIPNET_WHISPER_MODEL, CLIPNET_BLIP_MODEL and
CLIPNET_CLIP_MODEL at those folders and sets HF_HUB_OFFLINE=1, so the server never downloads
anything at run time (a cold start loads from the image's disk).

    python fetch_models.py /models \
        whisper=Systran/faster-whisper-base blip=Salesforce/blip-image-captioning-base \
        clip=openai/clip-vit-base-patch32

A model that cannot be fetched, or whose folder lacks the files its loader reads, fails the
build (naming it) instead of shipping an image that fails on its first job.
"""

from __future__ import annotations

import sys
from pathlib import Path

#: The files each model's loader needs (faster-whisper's CTranslate2 model; transformers).
REQUIRED_FILES = {
    "whisper": ("model.bin", "config.json", "tokenizer.json"),
    "blip": ("config.json", "preprocessor_config.json"),
    "clip": ("config.json", "preprocessor_config.json"),
}


def parse(arguments: list[str]) -> tuple[Path, dict[str, str]]:
    """``DEST name=repo ...`` -> (DEST, {name: repo}); a name must be one of REQUIRED_FILES."""
    if len(arguments) < 2:
        raise SystemExit("usage: fetch_models.py DEST NAME=REPO [NAME=REPO ...]")
    models: dict[str, str] = {}
    for argument in arguments[1:]:
        name, _, repo = argument.partition("=")
        if name not in REQUIRED_FILES or not repo:
            raise SystemExit(f"expected one of {', '.join(REQUIRED_FILES)}=REPO, got {argument!r}")
        models[name] = repo
    return Path(arguments[0]), models


def fetch(destination: Path, models: dict[str, str]) -> None:
    from huggingface_hub import snapshot_download  # comes with transformers

    for name, repo in models.items():
        folder = destination / name
        print(f"fetching {repo} into {folder}", flush=True)
        snapshot_download(repo_id=repo, local_dir=folder)
        missing = [f for f in REQUIRED_FILES[name] if not (folder / f).is_file()]
        if missing:
            raise SystemExit(f"{repo}: {folder} lacks {', '.join(missing)}")


if __name__ == "__main__":
    fetch(*parse(sys.argv[1:]))
