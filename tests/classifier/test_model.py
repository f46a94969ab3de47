"""The shipped model's API, explanations, the score command and load refusals."""

import io
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from moderation.classifier import (
    ATTRIBUTES,
    DEFAULT_MODEL_PATH,
    ModelLoadError,
    Prediction,
    Span,
    load_model,
)
from moderation.classifier.__main__ import score_stream
from moderation.classifier.artifact import ToxicityModel
from moderation.classifier.card import card_path_for
from moderation.classifier.evaluate import expected_calibration_error, span_f1
from moderation.classifier.model import _fold_into


@pytest.fixture(scope="module")
def model() -> ToxicityModel:
    return load_model(DEFAULT_MODEL_PATH)


def _copy_model(tmp_path: Path) -> Path:
    target = tmp_path / "m.skops"
    shutil.copy(DEFAULT_MODEL_PATH, target)
    shutil.copy(card_path_for(DEFAULT_MODEL_PATH), card_path_for(target))
    return target


def test_shipped_model_scores_insults_above_neutral_comments(
    model: ToxicityModel,
) -> None:
    """An insult scores higher than a neutral comment; scores lie in [0, 1]."""
    # when
    insult, neutral = model.score(
        ["you are a stupid idiot", "thanks for the thoughtful article"]
    )
    # then
    assert isinstance(insult, Prediction)
    assert 0.0 <= neutral.toxicity < insult.toxicity <= 1.0
    assert set(insult.categories) <= {"insult", "identity_attack", "threat", "obscene"}
    assert model.version.startswith("tox-")
    assert 0.0 < model.threshold < 1.0


def test_evasions_score_like_the_plain_word(model: ToxicityModel) -> None:
    """Leetspeak and spaced-out letters do not lower the score much."""
    plain, leet, spaced = model.score(
        ["you are an idiot", "you are an 1d10t", "you are an i d i o t"]
    )
    assert abs(plain.toxicity - leet.toxicity) < 0.05
    assert abs(plain.toxicity - spaced.toxicity) < 0.05


def test_explain_points_at_the_insult_in_the_original_text(
    model: ToxicityModel,
) -> None:
    """Spans are character offsets of the original text, strongest first."""
    # given
    text = "Well, you are a total 1d10t and a MORON."
    # when
    spans = model.explain(text, k=3)
    # then
    assert spans
    assert all(isinstance(s, Span) and text[s.start : s.end] == s.text for s in spans)
    assert {s.text for s in spans} & {"1d10t", "MORON"}
    assert [s.weight for s in spans] == sorted((s.weight for s in spans), reverse=True)


def test_explain_empty_text_gives_no_spans(model: ToxicityModel) -> None:
    """Nothing to highlight in an empty comment."""
    assert model.explain("   ") == []


def test_score_stream_answers_every_line(model: ToxicityModel) -> None:
    """Empty and malformed lines get an error line; others a score line."""
    # given
    lines = io.StringIO(
        '{"text": "hello"}\n\nnot json\n{"txt": 1}\n{"text": "idiot"}\n'
    )
    out = io.StringIO()
    # when
    score_stream(model, lines, out)
    # then
    results = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(results) == 5
    assert "toxicity" in results[0]
    assert results[0]["model_version"] == model.version
    assert results[0]["held"] is False
    assert results[4]["held"] is (results[4]["toxicity"] >= model.threshold)
    assert results[4]["attributes"]["TOXICITY"] == results[4]["toxicity"]
    assert [("error" in r) for r in results] == [False, True, True, True, False]


def test_tampered_model_file_is_refused(tmp_path: Path) -> None:
    """A file whose bytes no longer match the card's sha256 is not loaded."""
    # given
    path = _copy_model(tmp_path)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    # when / then
    with pytest.raises(ModelLoadError, match="does not match its card"):
        load_model(path)


def test_model_from_another_sklearn_version_is_refused(tmp_path: Path) -> None:
    """A card naming another scikit-learn minor version is refused."""
    # given
    path = _copy_model(tmp_path)
    card_file = card_path_for(path)
    card = json.loads(card_file.read_text())
    card["sklearn_version"] = "0.24.2"
    card_file.write_text(json.dumps(card))
    # when / then
    with pytest.raises(ModelLoadError, match=r"scikit-learn 0\.24\.2"):
        load_model(path)


def test_model_of_an_older_format_is_refused_with_how_to_fix(tmp_path: Path) -> None:
    """A one-vector (format 1) model is refused with the command that fixes it."""
    # given
    path = _copy_model(tmp_path)
    card_file = card_path_for(path)
    card = json.loads(card_file.read_text())
    card["format"] = 1
    card_file.write_text(json.dumps(card))
    # when / then
    with pytest.raises(ModelLoadError, match=r"format 1.*retrain"):
        load_model(path)


def test_addressing_the_reader_raises_the_score_of_an_insult(
    model: ToxicityModel,
) -> None:
    """The same insult scores higher aimed at the reader than at a third party
    (kaggle-insults labels insults to a participant)."""
    # when
    aimed, aside = model.score(["you are a pathetic idiot", "he is a pathetic idiot"])
    # then
    assert aimed.toxicity > aside.toxicity


def test_missing_model_or_card_is_refused(tmp_path: Path) -> None:
    """No file, or a file without its card, raises a clear error."""
    with pytest.raises(ModelLoadError, match="not found"):
        load_model(tmp_path / "absent.skops")
    path = _copy_model(tmp_path)
    card_path_for(path).unlink()
    with pytest.raises(ModelLoadError, match="card not found"):
        load_model(path)


def test_span_f1_follows_semeval() -> None:
    """Both empty is 1, one empty is 0, otherwise offset F1."""
    assert span_f1(set(), frozenset()) == 1.0
    assert span_f1({1}, frozenset()) == 0.0
    assert span_f1({1, 2}, frozenset({2, 3})) == pytest.approx(0.5)


def test_ece_is_zero_for_perfectly_calibrated_bins() -> None:
    """Scores equal to the positive rate in their bin have no calibration error."""
    assert expected_calibration_error([0, 1, 0, 1], [0.55, 0.55, 0.55, 0.55]) == (
        pytest.approx(0.05)
    )
    assert expected_calibration_error([0, 0, 1, 1], [0.0, 0.0, 1.0, 1.0]) == 0.0


def test_identity_words_do_not_change_the_score(model: ToxicityModel) -> None:
    """Naming a different identity in the same sentence scores the same."""
    # when
    scores = [
        p.toxicity
        for p in model.score(
            [
                "as a black woman i agree with the article",
                "as a white woman i agree with the article",
                "as a muslim woman i agree with the article",
            ]
        )
    ]
    # then
    assert max(scores) - min(scores) < 1e-9
    spans = model.explain("you gay idiot")
    assert spans
    assert all(s.text.lower() != "gay" for s in spans)


def test_a_friendly_sentence_about_any_group_is_not_held(
    model: ToxicityModel,
) -> None:
    """Groups named by nouns outside Dixon et al.'s adjectives ("Jews",
    "women", "refugees") are not held for a friendly sentence, like those it
    blinds (a network stacker trained without blinding them held "Jews
    celebrate the holiday with their families" at 0.28)."""
    # given
    groups = ["Jews", "Women", "Refugees", "Immigrants", "Feminists", "Muslims"]
    # when
    scores = model.scorer.toxicity(
        [f"{g} celebrate the holiday with their families" for g in groups]
    )
    # then
    assert scores.max() < model.threshold


def test_every_prediction_has_exactly_the_models_attributes(
    model: ToxicityModel,
) -> None:
    """``attributes`` holds a probability for each name in ``attribute_names``
    (Perspective names, TOXICITY always), and TOXICITY equals ``toxicity``."""
    # when
    predictions = model.score(["you are a stupid idiot", "thanks for the article"])
    # then
    names = model.attribute_names
    assert names[0] == "TOXICITY"
    assert set(names) <= set(ATTRIBUTES)
    for p in predictions:
        assert tuple(p.attributes) == names
        assert p.attributes["TOXICITY"] == p.toxicity
        assert all(0.0 <= v <= 1.0 for v in p.attributes.values())


def test_explanations_never_highlight_function_words(model: ToxicityModel) -> None:
    """ "you", "your", "anyone", "these" carry no offence of their own and are
    not highlighted, even next to an insult."""
    # when
    spans = model.explain("you and your friends are idiots, anyone can see these lies")
    # then
    words = {s.text.lower() for s in spans}
    assert "idiots" in words
    assert not words & {"you", "your", "anyone", "these", "are", "and"}


def test_weights_are_the_stored_heads_side_by_side_in_one_float32_array(
    model: ToxicityModel,
) -> None:
    """The shipped model stacks its heads with a network (format 4), so
    ``weights`` holds each stored float16 head as it is (widened to float32,
    exactly), then the gate and the attribute heads: one sparse product gives
    every logit the network reads."""
    # given the parameters as stored
    from skops.io import load

    params = load(DEFAULT_MODEL_PATH, trusted=[])
    assert "stack_w1" in params
    assert "mix" not in params
    # when
    weights = model.scorer.weights
    # then
    expected = np.column_stack(
        [*params["head_coef"], params["gate_coef"], *params["attribute_coef"]]
    ).astype(np.float32)
    assert weights.dtype == np.float32
    assert weights.flags.c_contiguous
    assert np.array_equal(weights, expected)
    assert model.scorer.core is weights


def test_linear_mix_weights_are_the_heads_folded_as_one_float32_product() -> None:
    """A model whose heads are mixed linearly by context (formats 2 and 3, and
    ``stack_hidden=0``) still loads: building its weights block by block from
    the float16 heads gives, to the bit, the columns of one float32 product of
    all the heads with the mix, then the gate and the attribute heads."""
    # given a linear-mix model's parameters
    from moderation.classifier.model import LinearScorer, TrainConfig, fit
    from tests.classifier.test_training import _attribute_examples

    params = fit(_attribute_examples(), TrainConfig(n_bits=12, stack_hidden=0)).params
    stacked = np.vstack([params["head_coef"], params["attribute_coef"]])
    mix = np.asarray(params["mix"], dtype=np.float64).astype(np.float32)
    # when
    scorer = LinearScorer(params)
    # then
    expected = np.column_stack(
        [
            *(stacked.astype(np.float32).T @ mix).T,
            params["gate_coef"],
            *params["attribute_coef"],
        ]
    ).astype(np.float32)
    assert np.array_equal(scorer.weights, expected)
    assert np.array_equal(scorer.core, scorer.weights[:, :4])


def test_folding_in_blocks_matches_one_product_at_every_block_edge() -> None:
    """Heads folded a few features at a time, with a last block shorter than
    the others, equal the product of all of them at once."""
    # given
    rng = np.random.default_rng(0)
    heads = rng.normal(size=(3, 50)).astype(np.float16)
    more = rng.normal(size=(2, 50)).astype(np.float16)
    mix = rng.normal(size=(5, 3)).astype(np.float32)
    out = np.empty((50, 6), dtype=np.float32)
    # when
    _fold_into(out[:, :3], [heads, more], mix, rows=7)
    # then
    expected = np.vstack([heads, more]).astype(np.float32).T @ mix
    assert np.array_equal(out[:, :3], expected)
