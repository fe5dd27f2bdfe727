"""Tiny BLIP and CLIP models with random weights and a word-level tokenizer, built offline.

Same classes as the real ones (``BlipForConditionalGeneration``, ``CLIPModel``), a few
thousand parameters each: they run the real model code in milliseconds. Their outputs mean
nothing; tests check shapes, batching and the fallback path, never quality.
"""

from __future__ import annotations

from typing import Any

import attrs

from clipnet.adapters.inference.vision_models import DEFAULT_TAGS, Captioner, ClipMatcher

SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"]
WORDS = [
    *("a", "an", "the", "of", "in", "on", "with", "screenshot", "photo", "moment"),
    *("video", "game", "exciting", "calm"),
    *DEFAULT_TAGS,
]


@attrs.frozen
class TinyVision:
    captioner: Captioner
    matcher: ClipMatcher
    vocabulary: tuple[str, ...]


def tiny_tokenizer() -> Any:
    from tokenizers import Tokenizer, models, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    vocab = {word: index for index, word in enumerate(dict.fromkeys([*SPECIALS, *WORDS]))}
    core = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    core.pre_tokenizer = pre_tokenizers.Whitespace()
    core.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", 2), ("[SEP]", 3)]
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=core,
        pad_token="[PAD]",
        unk_token="[UNK]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        bos_token="[CLS]",
        eos_token="[SEP]",
    )


def _layers(vocab_size: int) -> dict[str, Any]:
    return {
        "vocab_size": vocab_size,
        "hidden_size": 32,
        "intermediate_size": 37,
        "num_hidden_layers": 1,
        "num_attention_heads": 2,
        "bos_token_id": 2,
        "eos_token_id": 3,
        "pad_token_id": 0,
    }


_VISION = {
    "hidden_size": 32,
    "intermediate_size": 37,
    "num_hidden_layers": 1,
    "num_attention_heads": 2,
    "image_size": 32,
    "patch_size": 8,
}


def build_tiny_vision(seed: int = 0) -> TinyVision:
    import torch
    from transformers import (
        BlipConfig,
        BlipForConditionalGeneration,
        BlipImageProcessor,
        CLIPConfig,
        CLIPImageProcessor,
        CLIPModel,
    )

    tokenizer = tiny_tokenizer()
    size = len(tokenizer)
    torch.manual_seed(seed)
    blip = BlipForConditionalGeneration(
        BlipConfig(
            vision_config=_VISION,
            text_config={**_layers(size), "max_position_embeddings": 40, "sep_token_id": 3},
            projection_dim=16,
        )
    )
    clip = CLIPModel(
        CLIPConfig(
            vision_config=_VISION,
            text_config={**_layers(size), "max_position_embeddings": 40},
            projection_dim=16,
        )
    )
    blip_images = BlipImageProcessor(size={"height": 32, "width": 32})
    clip_images = CLIPImageProcessor(
        size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32}
    )
    return TinyVision(
        Captioner(blip, blip_images, tokenizer, max_new_tokens=6),
        ClipMatcher(clip, clip_images, tokenizer, DEFAULT_TAGS, top_k=3),
        tuple(WORDS),
    )
