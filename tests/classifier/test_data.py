"""Loaders: each format trap of the shared data sets, on tiny files."""

from pathlib import Path

from moderation.classifier.data import (
    decode_kaggle_comment,
    load_jsonl_labels,
    load_kaggle_insults,
    load_olid,
    load_span_set,
    load_toxic_spans,
    load_tweeteval_hate,
    load_wiki_bias,
)


def test_kaggle_comment_quotes_and_double_escapes_are_decoded() -> None:
    """Outer quotes go, escapes (single or double) and UTF-8 mojibake decode."""
    # given: a cell as csv returns it, with doubly escaped \n and UTF-8 bytes
    raw = '"a\\\\xc2\\\\xa0b\\\\nc\\xa0d caf\\\\xc3\\\\xa9"'
    # when
    text = decode_kaggle_comment(raw)
    # then
    assert text == "a\xa0b\nc\xa0d caf\u00e9"


def test_kaggle_loader_keeps_test_comments_out_of_train(tmp_path: Path) -> None:
    """A train comment that also appears in the test file is dropped from train."""
    # given
    folder = tmp_path / "kaggle-insults"
    folder.mkdir()
    (folder / "train.csv").write_text(
        'Insult,Date,Comment\n1,,"""you idiot"""\n0,20120618192155Z,"""nice"""\n',
        encoding="utf-8",
    )
    (folder / "test_with_solutions.csv").write_text(
        'Insult,Date,Comment,Usage\n1,,"""You  idiot"""\n', encoding="utf-8"
    )
    # when
    rows = load_kaggle_insults(tmp_path)
    # then
    assert [(r.text, r.label, r.split) for r in rows if r.split == "test"] == [
        ("You  idiot", 1, "test")
    ]
    assert [r.text for r in rows if r.split != "test"] == ["nice"]


def test_olid_tsv_keeps_quotes_and_label_header_is_skipped(tmp_path: Path) -> None:
    """Tweets with bare double quotes stay whole; the CRLF label file's header
    line is not read as a label."""
    # given
    folder = tmp_path / "olid"
    folder.mkdir()
    (folder / "olid-training-v1.0.tsv").write_text(
        "id\ttweet\tsubtask_a\tsubtask_b\tsubtask_c\n"
        '1\t@USER he said "no\tOFF\tTIN\tIND\n'
        "2\tfine day\tNOT\tNULL\tNULL\n",
        encoding="utf-8",
    )
    (folder / "testset-levela.tsv").write_text(
        'id\ttweet\n7\t"quoted start\n8\tplain\n', encoding="utf-8"
    )
    (folder / "labels-levela.csv").write_bytes(b"id,label\r\n7,OFF\r\n8,NOT\r\n")
    # when
    rows = load_olid(tmp_path)
    # then
    train = sorted((r.text, r.label) for r in rows if r.split != "test")
    assert train == [('@USER he said "no', 1), ("fine day", 0)]
    test = [(r.text, r.label) for r in rows if r.split == "test"]
    assert test == [('"quoted start', 1), ("plain", 0)]


def test_tweeteval_keeps_whitespace_only_tweets_aligned(tmp_path: Path) -> None:
    """A whitespace-only tweet is a row, so later labels stay aligned."""
    # given
    folder = tmp_path / "tweeteval" / "hate"
    folder.mkdir(parents=True)
    for split in ("train", "val", "test"):
        (folder / f"{split}_text.txt").write_text("first\n \nthird\n", encoding="utf-8")
        (folder / f"{split}_labels.txt").write_text("0\n0\n1\n", encoding="utf-8")
    # when
    rows = [r for r in load_tweeteval_hate(tmp_path) if r.split == "train"]
    # then
    assert [(r.text, r.label) for r in rows] == [("first", 0), (" ", 0), ("third", 1)]


def _write_spans(tmp_path: Path) -> None:
    raw = tmp_path / "toxic-spans" / "raw"
    raw.mkdir(parents=True)
    (raw / "comments.csv").write_text(
        "comment_id,comment_text\n1,you are a moron\n2,nice story\n3,a tie\n",
        encoding="utf-8",
    )
    # "all toxic" is True on rows that also say "not toxic": it is no vote.
    (raw / "annotations.csv").write_text(
        "annotation,comment_id,worker,country,all toxic,not toxic\n"
        "10,1,a,USA,False,False\n11,1,b,USA,False,False\n12,1,c,USA,True,True\n"
        "20,2,a,USA,True,True\n21,2,b,USA,True,True\n22,2,c,USA,False,False\n"
        "30,3,a,USA,False,False\n31,3,b,USA,True,True\n",
        encoding="utf-8",
    )
    (raw / "spans.csv").write_text(
        "annotation,type,start,end\n10,Insult,10,15\n11,Insult,10,15\n",
        encoding="utf-8",
    )
    semeval = tmp_path / "toxic-spans" / "SemEval2021"
    semeval.mkdir()
    (semeval / "tsd_trial.csv").write_text(
        'spans,text\n"[10, 11, 12, 13, 14]",you are a moron\n', encoding="utf-8"
    )


def test_toxic_spans_majority_vote_reads_only_not_toxic(tmp_path: Path) -> None:
    """Labels are the majority of "not toxic" votes; ties are dropped; trial
    comments land in test; categories come from half the raters' span types."""
    # given
    _write_spans(tmp_path)
    # when
    rows = {r.text: r for r in load_toxic_spans(tmp_path)}
    # then
    assert set(rows) == {"you are a moron", "nice story"}
    assert rows["you are a moron"].label == 1
    assert rows["you are a moron"].split == "test"
    assert rows["you are a moron"].categories["insult"] == 1
    assert rows["you are a moron"].categories["threat"] == 0
    assert rows["nice story"].label == 0


def test_span_set_offsets_are_parsed(tmp_path: Path) -> None:
    """The spans column is a JSON list of character offsets."""
    _write_spans(tmp_path)
    posts = load_span_set(tmp_path / "toxic-spans" / "SemEval2021" / "tsd_trial.csv")
    assert posts[0].spans == frozenset(range(10, 15))


def test_wiki_bias_labels_and_identity_groups(tmp_path: Path) -> None:
    """toxic is the string True/False; madlibs BAD = 1 and its identity term
    is the longest match."""
    # given
    folder = tmp_path / "wiki-toxicity-bias-eval"
    folder.mkdir()
    for name in ("nonfuzzed", "fuzzed"):
        (folder / f"toxicity_{name}_testset.csv").write_text(
            'rev_id,comment,toxic\n1,"a, b",True\n2,c,False\n', encoding="utf-8"
        )
    (folder / "bias_madlibs_77k.csv").write_text(
        'Text,Label,Template\n"hug african american",NOT_BAD,verb_adj\n'
        '"kill gay",BAD,verb_adj\n',
        encoding="utf-8",
    )
    # when
    rows = load_wiki_bias(tmp_path)
    # then
    fuzzed = [(r.text, r.label) for r in rows if r.source == "wiki-fuzzed"]
    assert fuzzed == [("a, b", 1), ("c", 0)]
    madlibs = [(r.label, r.group) for r in rows if r.source == "wiki-madlibs"]
    assert madlibs == [(0, "african american"), (1, "gay")]


def test_decision_rows_load_from_jsonl(tmp_path: Path) -> None:
    """Moderator decisions are extra training rows; blank lines are skipped."""
    path = tmp_path / "d.jsonl"
    path.write_text('{"text": "go away troll", "label": 1}\n\n', encoding="utf-8")
    rows = load_jsonl_labels(path)
    assert [(r.text, r.label, r.split) for r in rows] == [("go away troll", 1, "train")]
