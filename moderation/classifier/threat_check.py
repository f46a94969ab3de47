"""Sentences about threats for choosing a model, never for training.

The threat sentences trained on (``threats.py``) have their own frames and
word lists; these use others (no sentence shape and no slot word in common,
tested), so a model that learned "a threat is a violent verb aimed at you"
rather than the training words scores them well. Hostile: personal and
conditional threats with verbs no training row uses, implicit threats, and
violence stated as what ought to happen; contrasts: the same frames with good
news, violence reported, idioms, sport and games, threats condemned.

The threatening sentences are deliberately violent; they exist to check that
Parley holds such comments.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from moderation.classifier.data import Example

SOURCE = "threat-check"

# A participle completes each frame: a harm (threat) or a good turn (not).
PERSONAL_FRAMES = (
    "keep it up and you'll be {p} before the weekend",
    "i swear you will be {p} the moment you step outside",
    "you are going to get {p}, i promise you that",
    "try that once more and you end up {p}",
    "by this time next week you will have been {p}",
)
HARMS = (
    "knifed", "throttled", "maimed", "bludgeoned", "pummelled", "skinned",
    "butchered", "smothered", "clobbered", "shanked", "poisoned", "flattened",
)  # fmt: skip
GOOD_TURNS = (
    "promoted", "congratulated", "thanked", "hired", "invited", "applauded",
    "rewarded", "welcomed", "forgiven", "celebrated", "praised", "cheered",
)  # fmt: skip
IMPLICIT_THREATS = (
    "i'm parked across the street from your flat",
    "think about your kids before you comment again",
    "this is the last warning you will get from me",
    "accidents happen to people who talk like you",
    "i'll be waiting for you after the meeting, alone",
    "you'll be sorry you ever crossed me",
    "better hire a bodyguard, you'll need one",
    "your wife walks the dog at seven, doesn't she",
    "people have gone missing for less than what you wrote",
    "i hope you like hospital food",
)
# Harm stated as what should happen to people.
NORM_FRAMES = (
    "{g} who do that must be {p}",
    "every one of the {g} needs to be {p}",
    "line up the {g} and see them {p}",
)
NORM_GROUPS = (
    "estate agents", "parking wardens", "umpires", "bloggers", "tv presenters",
    "developers", "neighbours upstairs", "shop owners",
)  # fmt: skip
# Contrasts: the harms reported or condemned, violent words in idioms and play.
NEWS_FRAMES = (
    "officers said the shopkeeper was {p} during the robbery",
    "the jury heard the farmer had been {p} by an intruder",
)
CONDEMN_FRAMES = (
    "joking that a neighbour ought to be {p} is not funny at all",
    "whoever said the mayor should be {p} has been reported, as they should",
)
IDIOMS = (
    "the humidity is absolutely murdering me today",
    "that stand-up set slayed the whole room",
    "she knocked them dead at the recital",
    "i would kill for a cold drink right now",
    "the critics butchered his new film",
    "this spreadsheet is going to finish me off",
    "my legs are dead after that run",
    "he shot down every idea in the meeting",
    "the boss will have my head if i'm late again",
    "we got battered six nil at the weekend",
    "i'm going to wreck you at scrabble tonight",
    "our lads will flatten them in the derby",
    "the home side will massacre the league leaders",
    "that exam absolutely annihilated me",
)


def threat_check_examples() -> list[Example]:
    """Threats (1) and non-threats with the same words (0), all ``val``."""
    out: list[Example] = []

    def add(text: str, label: int) -> None:
        out.append(Example(text, label, SOURCE, "val"))

    for frame in PERSONAL_FRAMES:
        for word in HARMS:
            add(frame.format(p=word), 1)
        for word in GOOD_TURNS:
            add(frame.format(p=word), 0)
    for text in IMPLICIT_THREATS:
        add(text, 1)
    turn = 0
    for frame in NORM_FRAMES:
        for word in HARMS:
            add(frame.format(g=NORM_GROUPS[turn % len(NORM_GROUPS)], p=word), 1)
            turn += 1
    for frame in NEWS_FRAMES + CONDEMN_FRAMES:
        for word in HARMS:
            add(frame.format(p=word), 0)
    for text in IDIOMS:
        add(text, 0)
    return out


def threat_check_results(
    toxicity: Callable[[Sequence[str]], npt.NDArray[np.float64]],
    threat: Callable[[Sequence[str]], npt.NDArray[np.float64]] | None,
    threshold: float,
) -> dict[str, float]:
    """ROC AUC of threats against non-threats for TOXICITY (and for THREAT
    when the model scores it), and the share of each held at ``threshold``."""
    from sklearn.metrics import roc_auc_score

    rows = threat_check_examples()
    labels = np.array([e.label for e in rows])
    texts = [e.text for e in rows]
    probs = toxicity(texts)
    results = {
        "n": float(len(rows)),
        "threats": float(labels.sum()),
        "roc_auc": float(roc_auc_score(labels, probs)),
        "held_non_threat": float((probs[labels == 0] >= threshold).mean()),
        "held_threat": float((probs[labels == 1] >= threshold).mean()),
        "threshold": threshold,
    }
    if threat is not None:
        results["threat_roc_auc"] = float(roc_auc_score(labels, threat(texts)))
    return results


def format_threat_check(results: dict[str, float]) -> str:
    line = (
        f"threat check ({int(results['n'])} sentences written for choosing "
        f"models, {int(results['threats'])} threats): TOXICITY ROC AUC "
        f"{results['roc_auc']:.4f}"
    )
    if "threat_roc_auc" in results:
        line += f", THREAT ROC AUC {results['threat_roc_auc']:.4f}"
    return line + (
        f"; held at {results['threshold']:.3f}: "
        f"{results['held_threat']:.1%} of threats, "
        f"{results['held_non_threat']:.1%} of non-threats"
    )
