"""Contrast sentences for choosing a model, never for training.

The contrast sentences trained on (``contrasts.py``) have their own frames and
word lists; these use others (no sentence shape and no slot word in common,
and no group or quality word from the functional suite; tested), so a model
that learned "a group denied a good quality is an attack" and "a claim
reported is not the claim" rather than the training words scores them well.

* negated positives, the same two-by-two: a group seldom (hardly ever …) a good
  thing is hateful, usually a good thing is not, seldom a bad thing is not,
  usually a bad thing is;
* reported claims: a hostile claim about a group asserted (hateful) and the
  same claim reported, rebutted or quoted (not).

The hateful sentences are deliberately offensive; they exist to check that
Parley holds such comments and lets their rebuttals through.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from moderation.classifier.data import Example

SOURCE = "contrast-check"

GROUPS = (
    "expats", "somalis", "albanians", "hindus", "kurds", "lesbians",
    "afghans", "housewives", "bosnians", "filipinos", "deaf people",
    "old people",
)  # fmt: skip
STATEMENT_FRAMES = (
    "as a rule {g} are {m} {q}",
    "from what i have seen {g} are {m} {q}",
    "in this town {g} are {m} {q}",
)
NEGATORS = ("hardly ever", "seldom", "by no means", "rarely")
AFFIRMERS = ("usually", "mostly", "generally", "extremely")
GOOD = (
    "truthful", "responsible", "skilled", "grateful", "sincere", "productive",
    "courteous", "educated", "tolerant", "hygienic",
)  # fmt: skip
BAD = (
    "deceitful", "brutal", "idle", "smelly", "arrogant", "spiteful", "selfish",
    "backward", "vicious", "sneaky",
)  # fmt: skip
CLAIMS = (
    "freeloaders", "a menace", "barbarians", "lowlifes", "mongrels",
    "a scourge", "deadbeats", "riffraff",
)  # fmt: skip
ASSERT_FRAMES = (
    "truth is, {s}",
    "{s}, i have seen it with my own eyes",
    "sorry but {s}",
)
REPORT_FRAMES = (
    "the councillor who wrote that {s} has now apologised",
    "nobody sensible believes {s}",
    "a poster reading '{s}' appeared overnight and the council wants it gone",
    "my gran used to say {s}, and she was wrong",
)

# The kinds the check reports, with whether each is hateful.
KINDS = {
    "negated_good": True,
    "affirmed_good": False,
    "negated_bad": False,
    "affirmed_bad": True,
    "claim_asserted": True,
    "claim_reported": False,
}


def contrast_check_examples() -> list[tuple[str, Example]]:
    """(kind, example) pairs: hateful (1) and harmless (0), all ``val``."""
    out: list[tuple[str, Example]] = []
    turn = 0

    def group() -> str:
        nonlocal turn
        turn += 1
        return GROUPS[(turn - 1) % len(GROUPS)]

    def add(kind: str, text: str) -> None:
        out.append((kind, Example(text, int(KINDS[kind]), SOURCE, "val")))

    for frame in STATEMENT_FRAMES:
        for qualities, good in ((GOOD, "good"), (BAD, "bad")):
            for quality in qualities:
                for modifiers, how in ((NEGATORS, "negated"), (AFFIRMERS, "affirmed")):
                    for modifier in modifiers:
                        text = frame.format(g=group(), m=modifier, q=quality)
                        add(f"{how}_{good}", text)
    for claim in CLAIMS:
        statement = f"{group()} are {claim}"
        for frame in ASSERT_FRAMES:
            add("claim_asserted", frame.format(s=statement))
        for frame in REPORT_FRAMES:
            add("claim_reported", frame.format(s=statement))
    return out


def contrast_check_results(
    toxicity: Callable[[Sequence[str]], npt.NDArray[np.float64]], threshold: float
) -> dict[str, Any]:
    """TOXICITY ROC AUC of hateful against harmless sentences (all of them,
    the negated-positive two-by-two, the reported claims), and per kind the
    share held at ``threshold`` and the mean score."""
    from sklearn.metrics import roc_auc_score

    rows = contrast_check_examples()
    kinds = np.array([kind for kind, _ in rows])
    labels = np.array([e.label for _, e in rows])
    probs = toxicity([e.text for _, e in rows])
    negation = np.isin(kinds, [k for k in KINDS if not k.startswith("claim")])
    per_kind = {
        kind: {
            "hateful": hateful,
            "n": int((kinds == kind).sum()),
            "held": float((probs[kinds == kind] >= threshold).mean()),
            "mean_score": float(probs[kinds == kind].mean()),
        }
        for kind, hateful in KINDS.items()
    }
    return {
        "n": len(rows),
        "hateful": int(labels.sum()),
        "threshold": threshold,
        "roc_auc": float(roc_auc_score(labels, probs)),
        "roc_auc_negated_positive": float(
            roc_auc_score(labels[negation], probs[negation])
        ),
        "roc_auc_reported": float(roc_auc_score(labels[~negation], probs[~negation])),
        "per_kind": per_kind,
    }


def format_contrast_check(results: dict[str, Any]) -> str:
    lines = [
        f"contrast check ({results['n']} sentences written for choosing models, "
        f"{results['hateful']} hateful): TOXICITY ROC AUC {results['roc_auc']:.4f} "
        f"(negated positives {results['roc_auc_negated_positive']:.4f}, reported "
        f"claims {results['roc_auc_reported']:.4f}); held at "
        f"{results['threshold']:.3f}:",
        f"{'kind':<16} {'hateful':>7} {'n':>4} {'held':>6} {'mean p':>7}",
    ]
    for name, k in results["per_kind"].items():
        lines.append(
            f"{name:<16} {'yes' if k['hateful'] else 'no':>7} {k['n']:>4} "
            f"{k['held']:>6.1%} {k['mean_score']:>7.3f}"
        )
    return "\n".join(lines)
