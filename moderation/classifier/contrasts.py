"""Contrast sentences written for Parley: hate as a negated positive, and
hate reported or rebutted.

A bag of n-grams reads "<group> are never upright" as praise (it holds the word
"upright") and "it is wrong to claim <group> are thugs" as hate (it holds
"thugs"). These rows teach the combinations, not the words:

* **negated positives**, in a balanced two-by-two: a group said to be *never*
  (not, in no way …) a good thing is hateful, *always* a good thing is not;
  *never* a bad thing is not, *always* a bad thing is. Every quality word and
  every modifier is in as many hateful rows as harmless ones, so only the pair
  carries the label;
* **reported claims**: each hostile claim about a group stated (hateful, in a
  few asserting frames) and reported, rebutted or quoted (not hateful, in as
  many frames), so the claim's words weigh the same either way and the frame
  carries the label.

Frames and word lists are Parley's own. They share no sentence shape and no
slot word with the sentences models are chosen on (``contrast_check.py``) and
no group or quality word with the functional suite (``functional.py``,
evaluation only); tested in ``tests/classifier/test_training.py``.

The hateful sentences are deliberately offensive; they exist so that Parley
holds such comments and lets their rebuttals through.
"""

from __future__ import annotations

from moderation.classifier.data import Example

SOURCE = "augment-contrast"
# The two parts, in ``Example.group``: ``TrainConfig.contrast_kinds`` picks.
NEGATED_POSITIVE = "negated_positive"
REPORTED_CLAIM = "reported_claim"

# A hateful row attacks a group (IDENTITY_ATTACK); a harmless one is nothing.
_NOT_ANY = {
    "threat": 0,
    "insult": 0,
    "obscene": 0,
    "identity_attack": 0,
    "severe": 0,
}
_ATTACK = {"identity_attack": 1}

# Groups take turns across the filled frames. "muslims", "gay people", "black
# people" and "jewish people" are blinded to one identity token in the
# features; the others are not on that list.
GROUPS = (
    "asylum seekers", "arabs", "poles", "muslims", "gypsies", "nigerians",
    "gay people", "pakistanis", "lone parents", "black people", "husbands",
    "jewish people", "chinese people", "eastern europeans",
)  # fmt: skip

STATEMENT_FRAMES = (
    "{g} are {m} {q}",
    "i find that {g} are {m} {q}",
    "the {g} round here are {m} {q}",
    "let me tell you, {g} are {m} {q}",
)
NEGATORS = ("never", "not", "not at all", "in no way")
AFFIRMERS = ("always", "very", "really", "truly")
GOOD = (
    "upright", "clever", "competent", "principled", "intelligent", "broad minded",
    "civilised", "peaceful", "generous", "law abiding",
)  # fmt: skip
BAD = (
    "dishonest", "dangerous", "violent", "lazy", "dirty", "rude", "cruel",
    "greedy", "ignorant", "aggressive",
)  # fmt: skip

# Hostile claims, stated and reported.
CLAIMS = (
    "liars", "savages", "thugs", "scroungers", "a plague", "criminals",
    "bottom feeders", "dregs", "a pestilence", "an eyesore",
)  # fmt: skip
ASSERT_FRAMES = (
    "{s}",
    "face it, {s}",
    "i will say it: {s}",
    "{s} and everyone knows it",
    "the truth nobody admits is that {s}",
    "{s}, end of story",
)
REPORT_FRAMES = (
    "it is wrong to claim that {s}",
    "the leaflet saying {s} was rightly taken down",
    "stop repeating that {s}, it is simply false",
    "he was fined after posting that {s}",
    "my uncle keeps insisting {s} and i keep correcting him",
    "the mp apologised for tweeting that {s}",
)


def contrast_augmentation() -> list[Example]:
    """Hateful (1, IDENTITY_ATTACK) and harmless (0, nothing) contrast rows,
    each with its part (:data:`NEGATED_POSITIVE`, :data:`REPORTED_CLAIM`) as
    its ``group``."""
    out: list[Example] = []
    turn = 0

    def group() -> str:
        nonlocal turn
        turn += 1
        return GROUPS[(turn - 1) % len(GROUPS)]

    def add(text: str, label: int, kind: str) -> None:
        categories = dict(_ATTACK if label else _NOT_ANY)
        out.append(
            Example(text, label, SOURCE, "train", group=kind, categories=categories)
        )

    for frame in STATEMENT_FRAMES:
        for qualities, good in ((GOOD, True), (BAD, False)):
            for quality in qualities:
                for modifiers, negated in ((NEGATORS, True), (AFFIRMERS, False)):
                    for modifier in modifiers:
                        text = frame.format(g=group(), m=modifier, q=quality)
                        add(text, int(good == negated), NEGATED_POSITIVE)
    claims = [f"{group()} are {claim}" for claim in CLAIMS] + [
        f"{group()} are {negator} {quality}"
        for negator, quality in zip(NEGATORS * 3, GOOD, strict=False)
    ]
    for claim in claims:
        for frame in ASSERT_FRAMES:
            add(frame.format(s=claim), 1, REPORTED_CLAIM)
        for frame in REPORT_FRAMES:
            add(frame.format(s=claim), 0, REPORTED_CLAIM)
    return out
