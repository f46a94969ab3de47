"""Training on a tiny in-memory set: heads, NB scaling, blinding, explanations."""

import re
from collections.abc import Sequence

import numpy as np

from moderation.classifier.data import Example
from moderation.classifier.evaluate import choose_operating_point
from moderation.classifier.functional import KINDS, functional_results
from moderation.classifier.model import (
    TrainConfig,
    addresses_reader,
    bagged_threshold,
    fit,
    identity_augmentation,
)
from moderation.classifier.normalise import normalise_batch
from moderation.classifier.threats import threat_augmentation

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
    heads = result.report["heads"]
    assert heads[:4] == ["kaggle-insults", "toxic-spans", "olid", "pooled"]
    # the identity sentences label two attributes, which are stacked too
    assert heads[4:] == ["attribute:SEVERE_TOXICITY", "attribute:IDENTITY_ATTACK"]
    assert result.report["contexts_used"] == ["base", "address", "tweet"]
    assert result.report["config"]["nb_alpha"] == 1.0


def test_blinded_model_scores_identities_alike_and_never_highlights_them() -> None:
    """With blinding, swapping the identity term leaves score and spans alike."""
    # given
    scorer = fit(_examples(), TrainConfig(n_bits=12)).scorer
    # when
    a, b = scorer.toxicity(["black people are idiots", "white people are idiots"])
    spans = scorer.explain("black people are idiots", min_weight=-1.0)
    plural = scorer.explain("Blacks and Muslims' friends are idiots", min_weight=-1.0)
    # then
    assert a == b
    assert all(s.text != "black" for s in spans)
    assert {s.text for s in plural}.isdisjoint({"Blacks", "Muslims'"})


def test_addresses_reader_finds_second_person_words_even_when_disguised() -> None:
    """ "you", "u", "ur" and spaced or leet forms count; "youth" does not."""
    # given
    texts = ["You are wrong", "u suck", "ur dumb", "y o u idiot", "Y0U liar", "You're"]
    others = ["the youth club", "bayou trip", "he is wrong", ""]
    # when
    found = addresses_reader(normalise_batch(texts + others))
    # then
    assert found.tolist() == [1.0] * len(texts) + [0.0] * len(others)


def test_network_stacker_replaces_the_mix_and_explains_by_its_slope() -> None:
    """The default stacker is a small network over the heads' logits: the
    model stores its layers instead of a mix (the fast path is checked
    against the stored heads inside ``fit``), ranks an insult above thanks,
    and its explanations still name the insulting word, not "you"."""
    # given
    config = TrainConfig(n_bits=12, stack_hidden=4)
    # when
    result = fit(_examples(), config)
    # then
    assert result.report["stacker"]["kind"] == "network"
    assert result.report["stacker"]["hidden_units"] == 4
    assert "mix" not in result.params
    assert np.asarray(result.params["stack_w1"]).shape == (4 + 2 + 2, 4)
    scorer = result.scorer
    insult, civil = scorer.toxicity(["you are an idiot", "thanks, good article"])
    assert insult > civil
    spans = scorer.explain("you are an idiot", min_weight=0.0)
    assert [s.text for s in spans][:1] == ["idiot"]
    assert all(s.text != "you" for s in spans)


def test_linear_and_network_stackers_score_the_same_texts_alike_in_rank() -> None:
    """Both stackers read the same heads: on the training sentences they
    agree on which are insults."""
    # given
    texts = _TOXIC + _CIVIL
    # when
    linear = fit(_examples(), TrainConfig(n_bits=12, stack_hidden=0)).scorer
    network = fit(_examples(), TrainConfig(n_bits=12, stack_hidden=4)).scorer
    # then
    for scorer in (linear, network):
        scores = scorer.toxicity(texts)
        assert scores[: len(_TOXIC)].min() > scores[len(_TOXIC) :].max()


def test_without_gates_the_stacker_uses_the_heads_alone() -> None:
    """Turning both gates off leaves the context columns unused."""
    # given
    config = TrainConfig(
        n_bits=12, address_gate=False, tweet_gate_c=0.0, stack_hidden=0
    )
    # when
    result = fit(_examples(), config)
    # then
    assert result.report["contexts_used"] == ["base"]
    mix = np.asarray(result.params["mix"])
    assert not mix[:, 1:].any()
    assert not np.asarray(result.params["bias"])[1:].any()


def _attribute_examples() -> list[Example]:
    rows = _examples()
    threats = ["i will kill you", "we will shoot them all", "i will burn your house"]
    calm = ["see you at the match", "we will vote them out", "i will read your book"]
    for split in ("train", "val"):
        rows += [
            Example(t, 1, "gab", split, categories={"threat": 1, "obscene": 0})
            for t in threats
        ]
        rows += [
            Example(t, 0, "gab", split, categories={"threat": 0, "obscene": 0})
            for t in calm
        ]
    return rows


def test_attribute_heads_score_their_attribute_and_feed_toxicity() -> None:
    """Each attribute with labelled rows gets its own calibrated score; the
    prediction carries exactly the model's attributes, TOXICITY first."""
    # given
    config = TrainConfig(n_bits=12, attributes=("THREAT", "INSULT", "PROFANITY"))
    # when
    result = fit(_attribute_examples(), config)
    # then: no row is labelled for INSULT, and no row is profane, so neither
    # is claimed
    scorer = result.scorer
    assert scorer.attribute_names == ("TOXICITY", "THREAT")
    threat, calm = scorer.score(["i will kill you", "see you at the match"])
    assert tuple(threat.attributes) == scorer.attribute_names
    assert threat.attributes["THREAT"] > calm.attributes["THREAT"]
    assert threat.attributes["TOXICITY"] == threat.toxicity
    assert threat.categories["threat"] == threat.attributes["THREAT"]
    assert "attribute:THREAT" in result.report["heads"]


def test_operating_point_meets_both_goals_when_it_can() -> None:
    """The highest threshold holding ≥ 85 % of toxic and ≤ 3 % of civil
    comments; otherwise the lowest that holds ≤ 3 % of civil comments, with
    what 85 % recall would cost stated beside it."""
    # given: toxic comments of two sets well above the civil ones
    toxic = np.linspace(0.6, 0.9, 20)
    groups = ["a", "b"] * 10
    civil = np.linspace(0.0, 0.4, 100)
    # when
    point = choose_operating_point(toxic, groups, civil)
    # then
    assert point["meets_both_goals"]
    assert 0.4 < point["value"] < 0.65
    # given: overlapping scores
    overlapping = np.linspace(0.2, 0.9, 20)
    # when
    fallback = choose_operating_point(overlapping, groups, civil)
    # then
    assert not fallback["meets_both_goals"]
    assert fallback["flag_rate_civil"] <= 0.03
    assert fallback["recall_toxic"] < 0.85
    assert fallback["at_recall_goal"]["recall_toxic"] >= 0.85
    assert fallback["at_recall_goal"]["flag_rate_civil"] > 0.03


def test_bagged_threshold_falls_between_separable_classes() -> None:
    """The bootstrap-median macro-F1 cut separates classes that can be separated."""
    labels = np.array([0.0] * 50 + [1.0] * 50)
    scores = np.concatenate([np.linspace(0.0, 0.3, 50), np.linspace(0.6, 1.0, 50)])
    assert 0.3 < bagged_threshold(labels, scores, rounds=20) <= 0.6


def test_functional_suite_reports_every_kind() -> None:
    """Per-kind share right at the threshold, and an AUC over all cases."""

    # given: a scorer that holds anything with "kill" in it
    def scorer(texts: Sequence[str]) -> np.ndarray:
        return np.array([0.9 if "kill" in t else 0.1 for t in texts])

    # when
    results = functional_results(scorer, 0.5)
    # then
    assert set(results["per_kind"]) == {k.name for k in KINDS}
    assert results["per_kind"]["neutral_group_mention"]["accuracy"] == 1.0
    assert 0.0 < results["per_kind"]["direct_threat"]["accuracy"] < 1.0
    assert all(len(k.cases) >= 10 for k in KINDS)


def test_identity_check_sentences_are_never_training_rows() -> None:
    """The sentences models are chosen on for identity fairness share no text
    and no sentence shape with the identity sentences trained on, and hold
    both hostile and neutral rows."""
    # given
    from moderation.classifier.data import IDENTITY_TERMS, identity_terms_in
    from moderation.classifier.identity_check import identity_check_examples

    def shape(text: str) -> str:
        for term in identity_terms_in(text):
            text = text.replace(term, "<t>")
        return text

    # when
    check = identity_check_examples(IDENTITY_TERMS)
    trained = identity_augmentation(IDENTITY_TERMS, lexicon=True)
    # then
    assert {shape(e.text) for e in check}.isdisjoint(shape(e.text) for e in trained)
    assert all(e.split == "val" for e in check)
    assert {e.label for e in check} == {0, 1}


def test_noun_check_names_every_group_both_ways_and_is_never_trained_on() -> None:
    """The group-noun check names each group by its noun in hostile and in
    neutral or friendly sentences, half of each, and shares no text with the
    identity sentences trained on."""
    # given
    from moderation.classifier.data import IDENTITY_TERMS
    from moderation.classifier.identity_check import NOUNS, noun_check_examples

    # when
    check = noun_check_examples()
    trained = {e.text for e in identity_augmentation(IDENTITY_TERMS, lexicon=True)}
    # then
    assert sum(e.label for e in check) * 2 == len(check)
    for noun in NOUNS:
        labels = {e.label for e in check if noun in e.text.split()}
        assert labels == {0, 1}, noun
    assert trained.isdisjoint(e.text for e in check)
    assert all(e.split == "val" for e in check)


def test_threat_check_sentences_are_never_training_rows() -> None:
    """The sentences models are chosen on for threats share no text, no
    sentence shape and no slot word with the threat sentences trained on,
    none is a functional-suite case, and they hold threats and non-threats."""
    # given
    from moderation.classifier import threat_check, threats
    from moderation.classifier.threat_check import threat_check_examples

    trained_slots = {
        *threats.VIOLENT_VERBS, *threats.FRIENDLY_VERBS, *threats.GROUPS,
        *threats.PARTICIPLES, *threats.KIND_PARTICIPLES, *threats.IDIOM_THINGS,
        *threats.FOOD, *threats.SPORT_VERBS, *threats.GAMES,
    }  # fmt: skip
    check_slots = {
        *threat_check.HARMS,
        *threat_check.GOOD_TURNS,
        *threat_check.NORM_GROUPS,
    }
    slots = sorted(trained_slots | check_slots, key=len, reverse=True)

    def shape(text: str) -> str:
        for word in slots:
            text = re.sub(rf"\b{re.escape(word)}\b", "<w>", text)
        return text

    # when
    check = threat_check_examples()
    trained = threat_augmentation()
    functional = {case.lower() for kind in KINDS for case in kind.cases}
    # then
    assert trained_slots.isdisjoint(check_slots)
    assert {shape(e.text) for e in check}.isdisjoint(shape(e.text) for e in trained)
    assert functional.isdisjoint(e.text for e in check + trained)
    assert all(e.split == "val" for e in check)
    assert {e.label for e in check} == {0, 1}


def test_threat_sentences_teach_the_threat_head_personal_threats() -> None:
    """With the threat sentences weighted in, a personal threat scores a
    higher THREAT than the same frame with a friendly verb; with weight 0
    they are left out of training altogether."""
    # given
    rows = _attribute_examples() + threat_augmentation()
    weighted = TrainConfig(n_bits=14, attributes=("THREAT",), threat_weight=4.0)
    # when
    on = fit(rows, weighted)
    off = fit(
        rows,
        TrainConfig(
            n_bits=14,
            attributes=("THREAT",),
            threat_weight=0.0,
            threat_head_weight=0.0,
        ),
    )
    # then
    threat, friendly = on.scorer.score(
        ["when i find you i will strangle you", "when i find you i will thank you"]
    )
    assert threat.attributes["THREAT"] > friendly.attributes["THREAT"]
    on_rows = on.report["attributes"]["THREAT"]["train_rows"]
    off_rows = off.report["attributes"]["THREAT"]["train_rows"]
    trained = [e for e in threat_augmentation() if e.split == "train"]
    assert on_rows - off_rows == len(trained)
    assert "augment-threat" not in off.report["attributes"]["THREAT"]["sources"]


def test_threat_check_reports_toxicity_and_threat_auc() -> None:
    """The threat check ranks threats against non-threats for TOXICITY and
    THREAT, and says what share of each the threshold holds."""
    # given: a TOXICITY that holds every "you", a THREAT that knows the harms
    from moderation.classifier.threat_check import (
        HARMS,
        format_threat_check,
        threat_check_results,
    )

    def toxicity(texts: Sequence[str]) -> np.ndarray:
        return np.array([0.9 if "you" in t else 0.1 for t in texts])

    def threat(texts: Sequence[str]) -> np.ndarray:
        return np.array([0.8 if any(h in t for h in HARMS) else 0.2 for t in texts])

    # when
    results = threat_check_results(toxicity, threat, 0.5)
    # then
    assert 0.5 < results["threat_roc_auc"] < 1.0
    assert 0.0 < results["held_non_threat"] < results["held_threat"] <= 1.0
    assert "THREAT ROC AUC" in format_threat_check(results)
    without = threat_check_results(toxicity, None, 0.5)
    assert "THREAT ROC AUC" not in format_threat_check(without)


def _contrast_slots() -> tuple[set[str], set[str]]:
    from moderation.classifier import contrast_check, contrasts

    trained = {
        *contrasts.GROUPS, *contrasts.NEGATORS, *contrasts.AFFIRMERS,
        *contrasts.GOOD, *contrasts.BAD, *contrasts.CLAIMS,
    }  # fmt: skip
    check = {
        *contrast_check.GROUPS, *contrast_check.NEGATORS,
        *contrast_check.AFFIRMERS, *contrast_check.GOOD, *contrast_check.BAD,
        *contrast_check.CLAIMS,
    }  # fmt: skip
    return trained, check


def test_contrast_check_sentences_are_never_training_rows() -> None:
    """The sentences models are chosen on for negated positives and reported
    claims share no sentence shape and no slot word with the contrast
    sentences trained on; neither uses a group, quality or claim word of the
    functional suite, and the check holds hateful and harmless sentences."""
    # given
    from moderation.classifier import contrast_check, contrasts
    from moderation.classifier.contrast_check import contrast_check_examples
    from moderation.classifier.contrasts import contrast_augmentation

    trained_slots, check_slots = _contrast_slots()
    slots = sorted(trained_slots | check_slots, key=len, reverse=True)

    def shape(text: str) -> str:
        for word in slots:
            text = re.sub(rf"\b{re.escape(word)}\b", "<w>", text)
        return text

    functional_words = {
        word
        for kind in KINDS
        for case in kind.cases
        for word in re.findall(r"[a-z']+", case.lower())
    }
    content = {
        word
        for module in (contrasts, contrast_check)
        for words in (module.GROUPS, module.GOOD, module.BAD, module.CLAIMS)
        for phrase in words
        for word in phrase.split()
    } - {"a", "an", "people"}
    # when
    check = [e for _, e in contrast_check_examples()]
    trained = contrast_augmentation()
    # then
    assert trained_slots.isdisjoint(check_slots)
    assert {shape(e.text) for e in check}.isdisjoint(shape(e.text) for e in trained)
    assert content.isdisjoint(functional_words), content & functional_words
    assert all(e.split == "val" for e in check)
    assert {e.label for e in check} == {0, 1}
    assert all(e.split == "train" for e in trained)


def test_contrast_sentences_give_every_word_both_labels_equally() -> None:
    """In the negated-positive rows every quality and every modifier is in as
    many hateful rows as harmless ones, and every hostile claim is stated as
    often as it is reported: only the combination carries the label."""
    # given
    from moderation.classifier import contrasts
    from moderation.classifier.contrasts import contrast_augmentation

    rows = contrast_augmentation()
    words = (
        *contrasts.NEGATORS,
        *contrasts.AFFIRMERS,
        *contrasts.GOOD,
        *contrasts.BAD,
        *contrasts.CLAIMS,
    )
    # when
    balance = {
        word: sum(
            1 if e.label else -1
            for e in rows
            if re.search(rf"(^|\s){re.escape(word)}(\s|,|$)", e.text)
        )
        for word in words
        if word not in ("not", "not at all", "never")  # also inside claims
    }
    # then
    assert set(balance.values()) == {0}, balance
    assert sum(e.label for e in rows) * 2 == len(rows)


def test_contrast_sentences_teach_a_negated_positive_and_a_rebuttal() -> None:
    """With the contrast sentences weighted in, a group denied a good quality
    scores above the same group granted it, and a hostile claim stated scores
    above the same claim rebutted; with weight 0 they are left out."""
    # given
    from moderation.classifier.contrasts import contrast_augmentation

    rows = _examples() + contrast_augmentation()
    weighted = TrainConfig(
        n_bits=14,
        attributes=("IDENTITY_ATTACK",),
        contrast_weight=4.0,
        contrast_head_weight=1.0,
    )
    # when
    on = fit(rows, weighted)
    off = fit(rows, TrainConfig(n_bits=14, attributes=("IDENTITY_ATTACK",)))
    # then
    denied, granted, stated, rebutted = on.scorer.toxicity(
        [
            "the poles round here are never upright",
            "the poles round here are always upright",
            "face it, poles are thugs",
            "it is wrong to claim that poles are thugs",
        ]
    )
    assert denied > granted
    assert stated > rebutted
    on_rows = on.report["attributes"]["IDENTITY_ATTACK"]["train_rows"]
    off_rows = off.report["attributes"]["IDENTITY_ATTACK"]["train_rows"]
    assert on_rows - off_rows == len(contrast_augmentation())
    assert (
        "augment-contrast" not in off.report["attributes"]["IDENTITY_ATTACK"]["sources"]
    )


def test_contrast_kinds_pick_which_part_is_trained_on() -> None:
    """``contrast_kinds`` trains on the reported claims alone (or the negated
    positives alone): only that part's rows reach the heads."""
    # given
    from moderation.classifier.contrasts import REPORTED_CLAIM, contrast_augmentation

    rows = _examples() + contrast_augmentation()
    claims = [e for e in contrast_augmentation() if e.group == REPORTED_CLAIM]
    config = TrainConfig(
        n_bits=12,
        attributes=("IDENTITY_ATTACK",),
        contrast_weight=4.0,
        contrast_kinds=(REPORTED_CLAIM,),
    )
    # when
    part = fit(rows, config)
    off = fit(rows, TrainConfig(n_bits=12, attributes=("IDENTITY_ATTACK",)))
    # then
    on_rows = part.report["attributes"]["IDENTITY_ATTACK"]["train_rows"]
    off_rows = off.report["attributes"]["IDENTITY_ATTACK"]["train_rows"]
    assert 0 < len(claims) < len(contrast_augmentation())
    assert on_rows - off_rows == len(claims)


def test_contrast_check_reports_auc_and_share_held_per_kind() -> None:
    """The contrast check ranks hateful against harmless sentences overall and
    per part, and says what share of each kind the threshold holds."""
    # given: a TOXICITY that knows only the negators
    from moderation.classifier.contrast_check import (
        NEGATORS,
        contrast_check_results,
        format_contrast_check,
    )

    def toxicity(texts: Sequence[str]) -> np.ndarray:
        return np.array([0.9 if any(n in t for n in NEGATORS) else 0.1 for t in texts])

    # when
    results = contrast_check_results(toxicity, 0.5)
    # then: half the negated-positive rows are hateful either way
    assert results["roc_auc_negated_positive"] == 0.5
    assert results["per_kind"]["negated_good"]["held"] == 1.0
    assert results["per_kind"]["affirmed_bad"]["held"] == 0.0
    assert results["per_kind"]["negated_bad"]["held"] == 1.0
    assert "contrast check" in format_contrast_check(results)
