"""Loaders for the labelled sets in ``../shared/data`` into one schema.

Every loader returns :class:`Example` rows (text, label, source, split). Each
set's ``SOURCE.md`` lists format traps; the loaders handle them here, and the
tests in ``tests/classifier/test_data.py`` pin each one down.

Splits are ``train`` / ``val`` / ``test``. Where a set has no official
validation split, ``val`` is carved out of ``train`` by a hash of the
normalised text, so duplicates always land on the same side and the split is
stable across machines and Python versions.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "data"

# Category names exposed by the model; the toxic-spans rater types map onto them.
CATEGORY_OF_SPAN_TYPE = {
    "Insult": "insult",
    "Identity based Attack": "identity_attack",
    "Threat": "threat",
    "Profane/Obscene": "obscene",
}
CATEGORIES = ("insult", "identity_attack", "threat", "obscene")


@dataclass(frozen=True)
class Example:
    """One labelled text; ``label`` is 1 for toxic/offensive/insulting."""

    text: str
    label: int
    source: str
    split: str
    # Optional extras: identity term for the templated bias set, category labels
    # (1/0) where a set has them.
    group: str = ""
    categories: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class SpanExample:
    """A text with the character offsets human raters marked as toxic."""

    text: str
    spans: frozenset[int]


def _bucket(text: str, salt: str = "") -> int:
    """A stable 0..99 bucket for ``text`` (case and space insensitive)."""
    key = (salt + " ".join(text.lower().split())).encode("utf-8")
    return int.from_bytes(hashlib.sha256(key).digest()[:4], "big") % 100


def _carve(text: str, val_percent: int, salt: str) -> str:
    return "val" if _bucket(text, salt) < val_percent else "train"


# --- kaggle-insults ---------------------------------------------------------

_ESCAPE = re.compile(r"\\(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|[nrt\\'\"])")
_MOJIBAKE = re.compile(r"[\xc2-\xf4][\x80-\xbf]+")


def _fix_mojibake(match: re.Match[str]) -> str:
    chunk = match.group(0)
    try:
        return chunk.encode("latin-1").decode("utf-8")
    except UnicodeDecodeError:
        return chunk


def decode_kaggle_comment(raw: str) -> str:
    """Decode a Kaggle-insults ``Comment`` cell into the text a reader saw.

    The cell is wrapped in literal double quotes and holds Python-style escapes,
    some rows escaped twice (``\\\\n``, ``\\\\xc2\\\\xa0``) and with UTF-8 bytes
    escaped one by one, which decode to mojibake unless re-read as UTF-8.
    """
    text = raw
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        text = text[1:-1]
    for _ in range(3):
        if not _ESCAPE.search(text):
            break
        text = codecs.decode(
            text.encode("latin-1", "backslashreplace"), "unicode_escape"
        )
    return _MOJIBAKE.sub(_fix_mojibake, text)


def load_kaggle_insults(data_dir: Path) -> list[Example]:
    """train.csv → train/val (10 % by hash), test_with_solutions.csv → test."""
    folder = data_dir / "kaggle-insults"
    rows: list[Example] = []
    test_keys: set[str] = set()
    with (folder / "test_with_solutions.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            text = decode_kaggle_comment(row["Comment"])
            test_keys.add(_key(text))
            rows.append(Example(text, int(row["Insult"]), "kaggle-insults", "test"))
    with (folder / "train.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            text = decode_kaggle_comment(row["Comment"])
            if _key(text) in test_keys:
                # A few comments appear in both files; keep the test set unseen.
                continue
            split = _carve(text, 15, "kaggle")
            rows.append(Example(text, int(row["Insult"]), "kaggle-insults", split))
    return rows


def _key(text: str) -> str:
    return " ".join(text.lower().split())


# --- toxic-spans ------------------------------------------------------------


def _is_true(value: str) -> bool:
    # The raw tables store booleans as the strings "True"/"False".
    return value.strip().lower() == "true"


def load_span_set(path: Path) -> list[SpanExample]:
    """A SemEval-2021 ``tsd_*.csv`` file: a JSON list of offsets, then text."""
    out: list[SpanExample] = []
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            offsets = json.loads(row["spans"])
            out.append(SpanExample(row["text"], frozenset(int(i) for i in offsets)))
    return out


def load_toxic_spans(data_dir: Path) -> list[Example]:
    """Raw rater tables → one row per comment, labelled by majority vote.

    The label comes from the ``not toxic`` column only: ``all toxic`` is True
    on most rows that say "not toxic" too, so it cannot be read as a vote.
    Ties are dropped. Comments of the SemEval trial split go to ``test`` so
    that the explanation score is measured on texts the model never saw.
    Category labels: at least half of a comment's raters marked a span of
    that type.
    """
    folder = data_dir / "toxic-spans"
    raw = folder / "raw"
    texts: dict[str, str] = {}
    with (raw / "comments.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            texts[row["comment_id"]] = row["comment_text"]
    votes: dict[str, list[bool]] = defaultdict(list)
    annotation_comment: dict[str, str] = {}
    with (raw / "annotations.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            votes[row["comment_id"]].append(not _is_true(row["not toxic"]))
            annotation_comment[row["annotation"]] = row["comment_id"]
    typed: dict[tuple[str, str], set[str]] = defaultdict(set)
    spans_path = raw / "spans.csv"
    if spans_path.exists():
        with spans_path.open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                category = CATEGORY_OF_SPAN_TYPE.get(row["type"])
                comment = annotation_comment.get(row["annotation"])
                if category and comment:
                    typed[(comment, category)].add(row["annotation"])
    trial_path = folder / "SemEval2021" / "tsd_trial.csv"
    trial = (
        {_key(s.text) for s in load_span_set(trial_path)}
        if trial_path.exists()
        else set()
    )
    out: list[Example] = []
    for comment_id, text in texts.items():
        vote = votes.get(comment_id, [])
        toxic = sum(vote)
        if not vote or toxic * 2 == len(vote):
            continue
        label = int(toxic * 2 > len(vote))
        if _key(text) in trial:
            split = "test"
        else:
            bucket = _bucket(text, "spans")
            split = "test" if bucket < 15 else "val" if bucket < 25 else "train"
        categories = {
            c: int(len(typed.get((comment_id, c), ())) * 2 >= len(vote))
            for c in CATEGORIES
        }
        out.append(Example(text, label, "toxic-spans", split, categories=categories))
    return out


# --- OLID -------------------------------------------------------------------


def _read_tsv(path: Path) -> Iterator[dict[str, str]]:
    # Tweets contain unbalanced double quotes: csv must not treat them as quoting.
    with path.open(encoding="utf-8", newline="") as f:
        yield from csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)


def _read_label_csv(path: Path) -> list[tuple[str, str]]:
    """``id,label`` lines with CRLF endings, with or without a header line."""
    pairs: list[tuple[str, str]] = []
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.reader(f):
            if not row:
                continue
            if [c.strip() for c in row] == ["id", "label"]:
                continue
            pairs.append((row[0].strip(), row[1].strip()))
    return pairs


def load_olid(data_dir: Path) -> list[Example]:
    """OLID sub-task A: OFF = 1. Training file → train/val, official test."""
    folder = data_dir / "olid"
    out: list[Example] = []
    for row in _read_tsv(folder / "olid-training-v1.0.tsv"):
        text = row["tweet"]
        out.append(
            Example(
                text, int(row["subtask_a"] == "OFF"), "olid", _carve(text, 10, "olid")
            )
        )
    tweets = {
        row["id"]: row["tweet"] for row in _read_tsv(folder / "testset-levela.tsv")
    }
    for tweet_id, label in _read_label_csv(folder / "labels-levela.csv"):
        out.append(Example(tweets[tweet_id], int(label == "OFF"), "olid", "test"))
    return out


# --- TweetEval ----------------------------------------------------------------


def _read_lines(path: Path) -> list[str]:
    # Whitespace-only tweets are real rows: splitlines() or skipping blanks
    # would shift every later label by one.
    return path.read_text(encoding="utf-8").split("\n")[:-1]


def load_tweeteval_hate(data_dir: Path) -> list[Example]:
    """TweetEval ``hate`` (HatEval) with its own train/val/test split."""
    folder = data_dir / "tweeteval" / "hate"
    out: list[Example] = []
    for split in ("train", "val", "test"):
        texts = _read_lines(folder / f"{split}_text.txt")
        labels = _read_lines(folder / f"{split}_labels.txt")
        if len(texts) != len(labels):
            raise ValueError(
                f"{folder}/{split}: {len(texts)} texts, {len(labels)} labels"
            )
        out.extend(
            Example(t, int(lab), "tweeteval-hate", split)
            for t, lab in zip(texts, labels, strict=True)
        )
    return out


# --- Davidson 2017 ---------------------------------------------------------------


def load_davidson(data_dir: Path) -> list[Example]:
    """Hate or offensive (class 0/1) = 1. No official split: 20 % test by hash."""
    import html

    out: list[Example] = []
    path = data_dir / "davidson2017" / "labeled_data.csv"
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            text = html.unescape(row["tweet"])
            bucket = _bucket(text, "davidson")
            split = "test" if bucket < 20 else "val" if bucket < 30 else "train"
            out.append(
                Example(text, int(row["class"] in ("0", "1")), "davidson", split)
            )
    return out


# --- Stormfront -------------------------------------------------------------------


def load_stormfront(data_dir: Path) -> list[Example]:
    """The balanced sampled_train / sampled_test sentences; hate = 1."""
    out: list[Example] = []
    path = data_dir / "stormfront-degibert2018" / "stormfront_consolidated.csv"
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            # "relation" and "idk/skip" are not labels of the sentence alone.
            if row["label"] not in ("hate", "noHate") or row["split"] == "unsampled":
                continue
            out.append(
                Example(
                    row["text"], int(row["label"] == "hate"), "stormfront", row["split"]
                )
            )
    return out


# --- ETHOS --------------------------------------------------------------------------


def load_ethos(data_dir: Path) -> list[Example]:
    """Binary ETHOS, all rows as ``test``: GPL-3.0, evaluation only."""
    out: list[Example] = []
    path = data_dir / "ethos" / "Ethos_Dataset_Binary.csv"
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f, delimiter=";"):
            out.append(
                Example(
                    row["comment"], int(float(row["isHate"]) >= 0.5), "ethos", "test"
                )
            )
    return out


# --- Wikipedia unintended-bias sets ----------------------------------------------

# Identity terms of Dixon et al. 2018 (bias_madlibs adjectives_people), longest
# first so that "african american" wins over "american".
_IDENTITY_WORDS = (  # noqa: SIM905
    "lesbian gay bisexual transgender trans queer lgbt lgbtq homosexual "
    "straight heterosexual male female nonbinary african black white "
    "european hispanic latino latina latinx mexican canadian american "
    "asian indian chinese japanese christian muslim jewish buddhist "
    "catholic protestant sikh taoist old older young younger teenage "
    "millenial elderly blind deaf paralyzed"
).split()
IDENTITY_TERMS: tuple[str, ...] = tuple(
    sorted(
        [*_IDENTITY_WORDS, "african american", "middle eastern", "middle aged"],
        key=len,
        reverse=True,
    )
)
_IDENTITY_RE = re.compile(
    r"\b(" + "|".join(re.escape(t) for t in IDENTITY_TERMS) + r")\b"
)


def identity_terms_in(text: str) -> list[str]:
    """Identity terms mentioned in ``text`` (lower-cased, longest match)."""
    return sorted(set(_IDENTITY_RE.findall(text.lower())))


def load_wiki_bias(data_dir: Path) -> list[Example]:
    """The three evaluation-only sets, as sources wiki-nonfuzzed/-fuzzed/-madlibs.

    ``toxic`` is the string True/False; madlibs labels are BAD/NOT_BAD. The
    madlibs ``group`` is the identity term the template was filled with.
    """
    folder = data_dir / "wiki-toxicity-bias-eval"
    out: list[Example] = []
    for name in ("nonfuzzed", "fuzzed"):
        path = folder / f"toxicity_{name}_testset.csv"
        with path.open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                out.append(
                    Example(
                        row["comment"],
                        int(_is_true(row["toxic"])),
                        f"wiki-{name}",
                        "test",
                    )
                )
    with (folder / "bias_madlibs_77k.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            text = row["Text"].strip()
            terms = identity_terms_in(text)
            out.append(
                Example(
                    text,
                    int(row["Label"].strip() == "BAD"),
                    "wiki-madlibs",
                    "test",
                    group=terms[0] if terms else "",
                )
            )
    return out


# --- extra labelled rows (moderator decisions) -------------------------------------


def load_jsonl_labels(path: Path, source: str = "decisions") -> list[Example]:
    """Extra training rows from JSON lines ``{"text": ..., "label": 0|1}``."""
    out: list[Example] = []
    with path.open(encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            record = json.loads(line)
            if not isinstance(record, dict) or "text" not in record:
                raise ValueError(
                    f"{path}:{number}: expected an object with text, label"
                )
            out.append(
                Example(str(record["text"]), int(record["label"]), source, "train")
            )
    return out


LOADERS = {
    "kaggle-insults": load_kaggle_insults,
    "toxic-spans": load_toxic_spans,
    "olid": load_olid,
    "tweeteval-hate": load_tweeteval_hate,
    "davidson": load_davidson,
    "stormfront": load_stormfront,
    "ethos": load_ethos,
    "wiki": load_wiki_bias,
}


def load_all(data_dir: Path, names: Iterable[str] | None = None) -> list[Example]:
    """Every available set (a missing folder is skipped, not an error)."""
    out: list[Example] = []
    for name in names or LOADERS:
        try:
            out.extend(LOADERS[name](data_dir))
        except FileNotFoundError:
            continue
    return out
