"""Body-text quality: character-bigram precision/recall/F1 over letters and digits."""

from __future__ import annotations

import re
from collections import Counter

_NOT_WORD = re.compile(r"[\W_]+")


def bigrams(text: str) -> Counter[str]:
    chars = _NOT_WORD.sub("", text)
    return Counter(chars[i : i + 2] for i in range(len(chars) - 1))


def bigram_f1(got: str, truth: str) -> float:
    a, b = bigrams(got), bigrams(truth)
    overlap = sum((a & b).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(a.values()), overlap / sum(b.values())
    return 2 * precision * recall / (precision + recall)
