"""Text to word ids for the sentiment set: reading the bundled file, tokenising,
building a vocabulary and encoding padded id matrices. Numpy only.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np

PAD, UNK = "<pad>", "<unk>"
HEADER = "label\tsentence"
_WORD = re.compile(r"[^\W\d_]+")


def read_sentiment(path: Path) -> tuple[np.ndarray, list[str]]:
    """Labels (int64, 0 or 1) and sentences of a UTF-8 'label<TAB>sentence' file with a header."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if not lines or lines[0] != HEADER:
        raise ValueError(f"{path}: expected the header {HEADER!r}, found {lines[:1]!r}")
    labels, sentences = [], []
    for number, line in enumerate(lines[1:], start=2):
        label, tab, text = line.partition("\t")
        if not tab or label not in ("0", "1"):
            raise ValueError(f"{path}:{number}: expected '0|1<TAB>sentence', found {line!r}")
        labels.append(int(label))
        sentences.append(text)
    return np.array(labels, dtype=np.int64), sentences


def tokenize(text: str) -> list[str]:
    """The lowercased runs of letters in text: 'Not bad, really!' -> ['not', 'bad', 'really']."""
    return _WORD.findall(text.lower())


def build_vocab(counts: Counter[str]) -> tuple[str, ...]:
    """PAD, UNK, then the counted words, most frequent first and ties alphabetical."""
    return (PAD, UNK, *sorted(counts, key=lambda word: (-counts[word], word)))


def encode(sentences: Sequence[Sequence[str]], vocab: Sequence[str], max_len: int) -> np.ndarray:
    """An int64 (len(sentences), max_len) matrix of word ids.

    Words not in vocab become the id of UNK (1); rows are padded with 0 (PAD) or cut at
    max_len words.
    """
    index = {word: i for i, word in enumerate(vocab)}
    ids = np.zeros((len(sentences), max_len), dtype=np.int64)
    for row, words in enumerate(sentences):
        ids[row, : min(len(words), max_len)] = [index.get(w, 1) for w in words[:max_len]]
    return ids
