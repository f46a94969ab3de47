"""Training on a tiny in-memory set: heads, NB scaling, blinding, explanations."""

import numpy as np

from moderation.classifier.data import Example
from moderation.classifier.model import (
    TrainConfig,
    addresses_reader,
    fit,
    identity_augmentation,
)
from moderation.classifier.normalise import normalise_batch

_TOXIC = ["you are an idiot", "shut up moron", "what a stupid idiot", "idiot moron"]
_CIVIL = ["thanks for the article", "good point well made", "i agree", "nice work"]


def _examples() -> list[Example]:
    rows = []
    for source in ("kaggle-insults", "toxic-spans", "olid"):
        for split in ("train", "val"):
            rows += [Example(t, 1, source, split) for t in _TOXIC]
            rows += [Example(t, 0, source, split) for t in _CIVIL]
    return rows + identity_augmentation(["black", "white"], lexicon=True)


def test_tiny_fit_with_nb_scaling_and_extra_head_ranks_insults_higher() -> None:
    """Every head folds into one scorer that ranks an insult above thanks."""
    # given
    config = TrainConfig(
        n_bits=12,
        nb_alpha=1.0,
        extra_heads={"pooled": (("kaggle-insults", "olid"), 1.0)},
    )
    # when
    result = fit(_examples(), config)
    # then
    insult, civil = result.scorer.toxicity(["you idiot", "thanks, good article"])
    assert insult > civil
    assert result.report["heads"] == ["kaggle-insults", "toxic-spans", "olid", "pooled"]
    assert result.report["contexts_used"] == ["base", "address", "tweet"]
    assert result.report["config"]["nb_alpha"] == 1.0


def test_blinded_model_scores_identities_alike_and_never_highlights_them() -> None:
    """With blinding, swapping the identity term leaves score and spans alike."""
    # given
    scorer = fit(_examples(), TrainConfig(n_bits=12)).scorer
    # when
    a, b = scorer.toxicity(["black people are idiots", "white people are idiots"])
    spans = scorer.explain("black people are idiots", min_weight=-1.0)
    # then
    assert a == b
    assert all(s.text != "black" for s in spans)


def test_addresses_reader_finds_second_person_words_even_when_disguised() -> None:
    """ "you", "u", "ur" and spaced or leet forms count; "youth" does not."""
    # given
    texts = ["You are wrong", "u suck", "ur dumb", "y o u idiot", "Y0U liar", "You're"]
    others = ["the youth club", "bayou trip", "he is wrong", ""]
    # when
    found = addresses_reader(normalise_batch(texts + others))
    # then
    assert found.tolist() == [1.0] * len(texts) + [0.0] * len(others)


def test_without_gates_the_stacker_uses_the_heads_alone() -> None:
    """Turning both gates off leaves the context columns unused."""
    # given
    config = TrainConfig(n_bits=12, address_gate=False, tweet_gate_c=0.0)
    # when
    result = fit(_examples(), config)
    # then
    assert result.report["contexts_used"] == ["base"]
    mix = np.asarray(result.params["mix"])
    assert not mix[:, 1:].any()
    assert not np.asarray(result.params["bias"])[1:].any()
