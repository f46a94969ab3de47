"""Sentences about identity groups for choosing a model, never for training.

The templated identity set (wiki-madlibs) is evaluation only, so choices that
touch identity fairness are made here instead: frames and words written for
Parley that appear in no training row (``identity_augmentation`` in
``model.py`` uses other frames and word lists) and in no evaluation set. A
model that reads a neutral or friendly mention of a group as an attack scores
these neutral rows high; one that learned "which group" instead of "what is
said" ranks them badly.

The hostile sentences are deliberately offensive; they exist to check that
Parley holds such comments.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import numpy as np
import numpy.typing as npt

from moderation.classifier.data import Example

SOURCE = "identity-check"

_FRAMES = (
    "{t} people in my street are {w}",
    "honestly {t} folks are {w}",
    "every {t} person i have met was {w}",
    "the {t} woman who runs the bakery is {w}",
    "my cousin married {a} {t} man and he is {w}",
    "the {t} kids at my school are {w}",
    "most {t} people i know are {w}",
    "our {t} neighbours are {w}",
)
_HOSTILE = (
    "revolting", "rats", "cockroaches", "a blight", "degenerates", "brainless",
    "freaks", "primitive", "barbaric", "treacherous", "an infestation",
    "idiotic", "contemptible", "scumbags", "useless", "cretins", "swine",
    "leeches", "a curse", "mentally ill",
)  # fmt: skip
_FRIENDLY = (
    "cheerful", "welcoming", "dependable", "neighbourly", "warm", "sensible",
    "trustworthy", "creative", "patient", "easygoing", "reliable", "sincere",
    "modest", "wise", "good cooks", "lovely company", "very supportive",
    "kind hearted", "brilliant", "hospitable",
)  # fmt: skip
# Statements about a group with no judgement at all (the commonest mention in
# news comments), and calls for or against harm.
_NEUTRAL = (
    "{t} residents met the mayor on monday",
    "a {t} group opened a community kitchen downtown",
    "the survey asked {t} voters about housing",
    "i read an interview with {a} {t} author yesterday",
    "the {t} festival returns next week",
    "there is a {t} church on the corner of my road",
    "my wife is {t}",
    "our new colleague is {t} and starts on friday",
    "the article quotes two {t} teachers",
    "how many {t} people live in the county",
    "{t} students won the science fair",
    "the {t} population of the city grew last year",
)
_HOSTILE_CALLS = (
    "throw all the {t} people out of town",
    "{t} people should be locked up",
    "ban {t} people from our neighbourhood",
    "{t} people should be shot",
    "round up the {t} people",
    "{t} people do not deserve to live",
    "keep {t} people away from our children",
    "never trust {a} {t} person",
)
_FRIENDLY_CALLS = (
    "invite {t} people to dinner",
    "{t} people should be heard",
    "we should hire more {t} people",
    "protect {t} people from abuse",
    "{t} people deserve a fair hearing",
    "make {t} people feel at home",
    "always stand up for {t} people",
    "learn from {t} people",
)


def _judgements(frames: Iterable[str], add: Callable[[str, int], None]) -> None:
    """Each frame with every hostile (1) and every friendly (0) word."""
    for frame in frames:
        for word in _HOSTILE:
            add(frame.replace("{w}", word), 1)
        for word in _FRIENDLY:
            add(frame.replace("{w}", word), 0)


def identity_check_examples(terms: Iterable[str]) -> list[Example]:
    """Hostile (1) and neutral or friendly (0) sentences, the terms taking
    turns so that each frame meets several groups."""
    term_list = list(terms)
    out: list[Example] = []
    turn = 0

    def add(template: str, label: int) -> None:
        nonlocal turn
        term = term_list[turn % len(term_list)]
        turn += 1
        article = "an" if term[0] in "aeiou" else "a"
        text = template.format(t=term, a=article)
        out.append(Example(text, label, SOURCE, "val"))

    _judgements(_FRAMES, add)
    for _ in range(3):
        for template in _NEUTRAL:
            add(template, 0)
        for template in _HOSTILE_CALLS:
            add(template, 1)
        for template in _FRIENDLY_CALLS:
            add(template, 0)
    return out


# The same kinds of sentence naming groups by plural nouns ("jews", "women"),
# as hate speech and news comments mostly do: the adjectives above are what
# the features blind, so a model can treat the nouns differently (a network
# stacker held "Jews celebrate the holiday with their families"; model card,
# "Network stacker").
NOUN_SOURCE = "noun-check"
NOUNS = (
    "jews", "women", "immigrants", "refugees", "migrants", "feminists",
    "arabs", "hindus", "muslims", "christians", "gays", "blacks",
)  # fmt: skip
_NOUN_FRAMES = (
    "{g} in my street are {w}",
    "honestly {g} are {w}",
    "most {g} i know are {w}",
    "the {g} who run the bakery are {w}",
)
_NOUN_NEUTRAL = (
    "{g} celebrate the holiday with their families",
    "{g} in our town opened a new bakery",
    "i spoke with {g} at the council meeting about housing",
    "the survey asked {g} about housing",
    "the article quotes two {g}",
    "{g} won the science fair",
)
_NOUN_HOSTILE_CALLS = (
    "throw all the {g} out of town",
    "{g} should be locked up",
    "ban {g} from our neighbourhood",
    "{g} should be shot",
    "round up the {g}",
    "{g} do not deserve to live",
)


def noun_check_examples() -> list[Example]:
    """Hostile (1) and neutral or friendly (0) sentences naming each group of
    :data:`NOUNS` by its noun, the nouns taking turns over the frames."""
    out: list[Example] = []
    turn = 0

    def add(template: str, label: int) -> None:
        nonlocal turn
        text = template.format(g=NOUNS[turn % len(NOUNS)])
        turn += 1
        out.append(Example(text, label, NOUN_SOURCE, "val"))

    _judgements(_NOUN_FRAMES, add)
    for _ in range(len(NOUNS)):
        for template in _NOUN_NEUTRAL:
            add(template, 0)
        for template in _NOUN_HOSTILE_CALLS:
            add(template, 1)
    return out


def identity_check_results(
    scorer: Callable[[Sequence[str]], npt.NDArray[np.float64]],
    terms: Iterable[str] | None,
    threshold: float,
) -> dict[str, float]:
    """ROC AUC of hostile against neutral or friendly sentences, and the
    share of each held at ``threshold`` (the operating point). ``terms``
    None: the sentences naming groups by nouns (:func:`noun_check_examples`)."""
    from sklearn.metrics import roc_auc_score

    rows = noun_check_examples() if terms is None else identity_check_examples(terms)
    labels = np.array([e.label for e in rows])
    probs = scorer([e.text for e in rows])
    return {
        "n": float(len(rows)),
        "hostile": float(labels.sum()),
        "roc_auc": float(roc_auc_score(labels, probs)),
        "held_neutral": float((probs[labels == 0] >= threshold).mean()),
        "held_hostile": float((probs[labels == 1] >= threshold).mean()),
        "threshold": threshold,
    }


def format_identity_check(results: dict[str, float], *, nouns: bool = False) -> str:
    name = "group-noun check" if nouns else "identity check"
    return (
        f"{name} ({int(results['n'])} sentences written for choosing "
        f"models, {int(results['hostile'])} hostile): ROC AUC "
        f"{results['roc_auc']:.4f}; held at {results['threshold']:.3f}: "
        f"{results['held_neutral']:.1%} of neutral or friendly, "
        f"{results['held_hostile']:.1%} of hostile"
    )
