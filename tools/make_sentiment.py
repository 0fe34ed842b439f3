"""Write visualgrad/resources/datasets/sentiment.tsv: short review-like sentences labelled 1
(positive) or 0 (negative), made from a seeded template grammar.

The sentiment is carried mostly by the adjectives and stock phrases, so a bag-of-words model
with mean pooling can learn it; a few negated ("was not very clever") and contrasting
("was dull but the cast was superb") sentences, balanced across labels, keep it from being
trivial without making negation the signal. The same seed always writes the same file:

    python tools/make_sentiment.py [--seed 0] [--per-label 600] [--out PATH]
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Callable
from pathlib import Path

SUBJECTS = (
    "the movie", "this film", "the plot", "the acting", "the script", "the story",
    "the ending", "the cast", "the soundtrack", "the dialogue", "the pacing", "the set design",
    "the sequel", "the lead actor", "the camera work", "the humour", "the final act",
)  # fmt: skip
VERBS = ("was", "is", "felt", "seemed")
INTENSIFIERS = ("very", "really", "truly", "quite", "so", "incredibly", "rather", "pretty")
ADJECTIVES = {
    1: (
        "great", "wonderful", "brilliant", "charming", "delightful", "moving", "superb",
        "fun", "beautiful", "clever", "gripping", "excellent", "enjoyable", "fresh", "funny",
        "touching", "lovely", "stunning", "solid", "warm", "smart", "powerful", "sharp",
        "memorable",
    ),
    0: (
        "boring", "awful", "dull", "terrible", "clumsy", "bland", "tedious", "weak", "messy",
        "poor", "painful", "lifeless", "predictable", "confusing", "flat", "forgettable",
        "silly", "bad", "slow", "cheap", "lazy", "shallow", "annoying", "stale",
    ),
}  # fmt: skip
PHRASES = {
    1: (
        "i loved every minute", "a joy to watch", "i would watch it again",
        "highly recommended", "it made me smile", "worth the ticket", "a real treat",
        "i left the cinema happy", "what a ride",
    ),
    0: (
        "i hated every minute", "a waste of time", "i almost fell asleep",
        "i want my money back", "skip this one", "a real chore", "i left the cinema early",
        "what a mess", "avoid it",
    ),
}  # fmt: skip
FILLERS = (
    "honestly", "overall", "in the end", "for me", "i think", "at times", "to be fair",
    "all things considered", "on the whole", "if you ask me",
)  # fmt: skip
NOUNS = ("film", "movie", "story", "show", "sequel", "drama", "comedy", "thriller")

Template = Callable[[random.Random, int], str]


def _maybe(rng: random.Random, words: tuple[str, ...], p: float, end: str = "") -> str:
    """One of words followed by end with probability p, else the empty string."""
    return rng.choice(words) + end if rng.random() < p else ""


def _adjective(rng: random.Random, label: int) -> str:
    """An adjective of the given polarity, sometimes with an intensifier before it."""
    return f"{_maybe(rng, INTENSIFIERS, 0.4)} {rng.choice(ADJECTIVES[label])}"


def _plain(rng: random.Random, label: int) -> str:
    lead, tail = _maybe(rng, FILLERS, 0.25, ","), _maybe(rng, FILLERS, 0.2)
    subject, verb = rng.choice(SUBJECTS), rng.choice(VERBS)
    return f"{lead} {subject} {verb} {_adjective(rng, label)} {tail}"


def _pair(rng: random.Random, label: int) -> str:
    first, second = rng.sample(ADJECTIVES[label], 2)
    return f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {first} and {second}"


def _noun(rng: random.Random, label: int) -> str:
    adjective = _adjective(rng, label).split()
    article = "an" if adjective[0][0] in "aeiou" else "a"
    tail = _maybe(rng, FILLERS, 0.3)
    return f"{article} {' '.join(adjective)} {rng.choice(NOUNS)} {tail}"


def _with_phrase(rng: random.Random, label: int) -> str:
    subject, verb = rng.choice(SUBJECTS), rng.choice(VERBS)
    return f"{subject} {verb} {_adjective(rng, label)}, {rng.choice(PHRASES[label])}"


def _phrase(rng: random.Random, label: int) -> str:
    return f"{_maybe(rng, FILLERS, 0.6, ',')} {rng.choice(PHRASES[label])}"


def _negated(rng: random.Random, label: int) -> str:
    """'not' before an adjective of the opposite polarity: 'not clever' is negative."""
    subject, verb = rng.choice(SUBJECTS), rng.choice(VERBS)
    return f"{subject} {verb} not {_adjective(rng, 1 - label)}"


def _contrast(rng: random.Random, label: int) -> str:
    """Two clauses of opposite polarity; the one after 'but' decides the label."""
    first, second = rng.sample(SUBJECTS, 2)
    worse, better = rng.choice(ADJECTIVES[1 - label]), rng.choice(ADJECTIVES[label])
    return f"{first} was {worse} but {second} was {better}"


TEMPLATES: tuple[tuple[Template, float], ...] = (
    (_plain, 4.0),
    (_pair, 2.0),
    (_noun, 2.0),
    (_with_phrase, 1.5),
    (_phrase, 1.0),
    (_negated, 0.6),
    (_contrast, 0.6),
)


def sentence(rng: random.Random, label: int) -> str:
    """One sentence of the given label, capitalised and ending with a full stop."""
    templates, weights = zip(*TEMPLATES, strict=True)
    (template,) = rng.choices(templates, weights)
    text = " ".join("I" if word == "i" else word for word in template(rng, label).split())
    return text[0].upper() + text[1:] + "."


def make(seed: int, per_label: int) -> list[tuple[int, str]]:
    """per_label distinct sentences of 3 to 12 words for each label, in a seeded order."""
    rng = random.Random(seed)
    chosen: dict[str, int] = {}
    counts = {0: 0, 1: 0}
    while min(counts.values()) < per_label:
        label = rng.randrange(2)
        text = sentence(rng, label)
        if counts[label] < per_label and text not in chosen and 3 <= len(text.split()) <= 12:
            chosen[text] = label
            counts[label] += 1
    rows = [(label, text) for text, label in chosen.items()]
    rng.shuffle(rows)
    return rows


def render(rows: list[tuple[int, str]]) -> str:
    """The file's text: a 'label<TAB>sentence' header, then one row a line."""
    return "label\tsentence\n" + "".join(f"{label}\t{text}\n" for label, text in rows)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--per-label", type=int, default=600)
    datasets = Path(__file__).resolve().parents[1] / "visualgrad" / "resources" / "datasets"
    default_out = datasets / "sentiment.tsv"
    parser.add_argument("--out", type=Path, default=default_out)
    args = parser.parse_args()
    rows = make(args.seed, args.per_label)
    args.out.write_text(render(rows), encoding="utf-8", newline="\n")
    print(f"wrote {len(rows)} sentences to {args.out}")


if __name__ == "__main__":
    main()
