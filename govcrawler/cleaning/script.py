"""Simplified/traditional script: detection and conversion for script-agnostic matching."""

from __future__ import annotations

from functools import lru_cache
from operator import ne
from typing import Literal

import opencc

Script = Literal["zh-Hans", "zh-Hant"]


@lru_cache(maxsize=2)
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def to_simplified(text: str) -> str:
    """Fold traditional characters to simplified, so 版權所有 matches 版权所有."""
    return str(_converter("t2s").convert(text)) if text else text


def _changed(text: str, converted: str) -> int:
    """How many positions differ between `text` and its conversion."""
    return sum(map(ne, text, converted))


def detect_script(text: str) -> Script:
    """zh-Hant when more characters change under t2s than under s2t, else zh-Hans. (s2t, the
    slower conversion, is skipped when t2s changes nothing: the answer is zh-Hans anyway.)"""
    sample = text[:4000]
    t_chars = _changed(sample, to_simplified(sample))
    if not t_chars:
        return "zh-Hans"
    s_chars = _changed(sample, str(_converter("s2t").convert(sample)))
    return "zh-Hant" if t_chars > s_chars else "zh-Hans"
