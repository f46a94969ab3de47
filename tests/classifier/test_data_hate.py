"""Loaders of the hate, threat and attribute sets: each format trap, on tiny files."""

import json
from pathlib import Path

from moderation.classifier.data import (
    Example,
    drop_test_overlap,
    load_convabuse,
    load_edos,
    load_fox_news,
    load_gab,
    load_implicit_hate,
)


def test_implicit_hate_threatening_posts_are_threats_and_explicit_unknown(
    tmp_path: Path,
) -> None:
    """Stage-2 "threatening" posts are THREAT positives; explicit hate has no
    stage-2 type, so its threat label is left unknown; CSV quoting in a TSV."""
    # given
    folder = tmp_path / "implicit-hate"
    folder.mkdir()
    (folder / "implicit_hate_v1_stg1_posts.filtered.tsv").write_text(
        'post\tclass\n"they "" will pay"\timplicit_hate\n'
        "nice rally\tnot_hate\nexplicit words\texplicit_hate\n",
        encoding="utf-8",
    )
    (folder / "implicit_hate_v1_stg2_posts.tsv").write_text(
        "post\timplicit_class\textra_implicit_class\n"
        '"they "" will pay"\tthreatening\t\n',
        encoding="utf-8",
    )
    # when
    rows = {r.text: r for r in load_implicit_hate(tmp_path)}
    # then
    assert rows['they " will pay'].label == 1
    assert rows['they " will pay'].categories["threat"] == 1
    assert rows["nice rally"].categories == {
        "identity_attack": 0,
        "severe": 0,
        "threat": 0,
    }
    assert "threat" not in rows["explicit words"].categories
    assert rows["explicit words"].categories["severe"] == 1


def test_gab_labels_map_to_attributes(tmp_path: Path) -> None:
    """hd → identity attack, cv → threat, vo → profanity; any of them is toxic."""
    # given
    folder = tmp_path / "gab-hate-corpus"
    folder.mkdir()
    header = "text\thd\tcv\tvo\n"
    (folder / "ghc_train.filtered.tsv").write_text(
        header + "vulgar post  \t0\t0\t1\nplain post\t0\t0\t0\n", encoding="utf-8"
    )
    (folder / "ghc_test.filtered.tsv").write_text(
        header + "kill them\t1\t1\t0\n", encoding="utf-8"
    )
    # when
    rows = {r.text: r for r in load_gab(tmp_path)}
    # then
    assert rows["vulgar post  "].label == 1
    assert rows["vulgar post  "].categories["obscene"] == 1
    assert rows["plain post"].label == 0
    assert rows["kill them"].split == "test"
    assert rows["kill them"].categories == {
        "identity_attack": 1,
        "threat": 1,
        "obscene": 0,
        "severe": 1,
    }


def test_edos_dev_is_validation_and_category_one_is_a_threat(tmp_path: Path) -> None:
    """The official dev split is val; "1. threats …" posts are THREAT positives."""
    # given
    folder = tmp_path / "edos"
    folder.mkdir()
    (folder / "edos_labelled_aggregated.filtered.csv").write_text(
        "rewire_id,text,label_sexist,label_category,label_vector,split\n"
        'a,"she will pay, [USER]",sexist,"1. threats, plans to harm and '
        'incitement",1.1 threats of harm,dev\n'
        "b,nice day,not sexist,none,none,train\n",
        encoding="utf-8",
    )
    # when
    rows = {r.text: r for r in load_edos(tmp_path)}
    # then
    assert rows["she will pay, [USER]"].split == "val"
    assert rows["she will pay, [USER]"].categories["threat"] == 1
    assert rows["nice day"].label == 0


def test_fox_news_threads_stay_on_one_side(tmp_path: Path) -> None:
    """Comments of one thread (article title) are all val or all test."""
    # given
    folder = tmp_path / "fox-news-comments"
    folder.mkdir()
    lines = [
        json.dumps({"title": f"story {i % 5}", "text": f"comment {i}", "label": i % 2})
        for i in range(40)
    ]
    (folder / "fox-news-comments.filtered.json").write_text(
        "\n".join(lines) + "\n", encoding="utf-8"
    )
    # when
    rows = load_fox_news(tmp_path)
    # then
    split_of: dict[str, set[str]] = {}
    for r in rows:
        split_of.setdefault(f"story {int(r.text.split()[1]) % 5}", set()).add(r.split)
    assert all(len(s) == 1 for s in split_of.values())
    assert sum(s == {"val"} for s in split_of.values()) == 3


def test_convabuse_reads_annotators_by_position_despite_repeated_headers(
    tmp_path: Path,
) -> None:
    """Columns are read by position (a header name repeats); abusive and
    severe are majorities of the annotators who judged the message."""
    # given
    folder = tmp_path / "convabuse" / "2_splits"
    folder.mkdir(parents=True)
    context = "example_id,conv_id,prev_agent,prev_user,agent,user,bot"
    annotator = ",".join(f"A{i}_x" for i in range(17))
    header = ",".join([context, annotator, annotator.replace("A", "B")])
    blank = "," * 16

    def judged(level: int) -> str:
        # is_abuse.1, .0, .-1, .-2, .-3, then twelve type/target columns
        return ",".join(["1" if i == level else "0" for i in range(5)] + ["0"] * 12)

    body = [
        f"1,1,a,b,c,you are useless,bot,{judged(4)},{judged(3)}",
        f"2,1,a,b,c,hello there,bot,{judged(0)},{blank}",
        f"3,1,a,b,c,meh,bot,{judged(2)},{judged(0)}",
    ]
    for name in ("train", "valid", "test"):
        (folder / f"ConvAbuseEMNLP{name}.filtered.csv").write_text(
            "\n".join([header, *body]) + "\n", encoding="utf-8"
        )
    # when
    rows = {r.text: r for r in load_convabuse(tmp_path) if r.split == "val"}
    # then
    assert rows["you are useless"].label == 1
    assert rows["you are useless"].categories["severe"] == 1
    assert rows["hello there"].label == 0
    assert rows["meh"].label == 0  # one of two: no majority


def test_training_rows_equal_to_a_test_text_are_dropped() -> None:
    """A post shared by two sets never trains a model that is tested on it."""
    rows = [
        Example("Same post!", 1, "gab", "test"),
        Example("same  post!", 1, "implicit-hate", "train"),
        Example("other post", 0, "implicit-hate", "train"),
    ]
    assert [(e.text, e.split) for e in drop_test_overlap(rows)] == [
        ("Same post!", "test"),
        ("other post", "train"),
    ]
