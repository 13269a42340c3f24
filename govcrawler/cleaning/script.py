"""Simplified/traditional script: detection and conversion for script-agnostic matching."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

import opencc

Script = Literal["zh-Hans", "zh-Hant"]


@lru_cache(maxsize=2)
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def to_simplified(text: str) -> str:
    """Fold traditional characters to simplified, so 版權所有 matches 版权所有."""
    return str(_converter("t2s").convert(text)) if text else text


def detect_script(text: str) -> Script:
    """zh-Hant when more characters change under t2s than under s2t, else zh-Hans."""
    sample = text[:4000]
    simplified = to_simplified(sample)
    traditional = str(_converter("s2t").convert(sample))
    t_chars = sum(a != b for a, b in zip(sample, simplified, strict=False))
    s_chars = sum(a != b for a, b in zip(sample, traditional, strict=False))
    return "zh-Hant" if t_chars > s_chars else "zh-Hans"
