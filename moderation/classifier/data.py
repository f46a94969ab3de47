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
from collections.abc import Iterable, Iterator, Sequence
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
            insult = int(row["Insult"])
            rows.append(
                Example(
                    text,
                    insult,
                    "kaggle-insults",
                    "test",
                    categories={"insult": insult},
                )
            )
    with (folder / "train.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            text = decode_kaggle_comment(row["Comment"])
            if _key(text) in test_keys:
                # A few comments appear in both files; keep the test set unseen.
                continue
            split = _carve(text, 15, "kaggle")
            insult = int(row["Insult"])
            rows.append(
                Example(
                    text, insult, "kaggle-insults", split, categories={"insult": insult}
                )
            )
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
            # Hate speech (class 0) attacks a group; "offensive" alone does not.
            hate = int(row["class"] == "0")
            out.append(
                Example(
                    text,
                    int(row["class"] in ("0", "1")),
                    "davidson",
                    split,
                    categories={"identity_attack": hate, "severe": hate},
                )
            )
    return out


# --- Stormfront -------------------------------------------------------------------


def load_stormfront(data_dir: Path) -> list[Example]:
    """The balanced sampled_train / sampled_test sentences; hate = 1.
    ``val`` is 10 % of sampled_train by text hash."""
    out: list[Example] = []
    path = data_dir / "stormfront-degibert2018" / "stormfront_consolidated.csv"
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            # "relation" and "idk/skip" are not labels of the sentence alone.
            if row["label"] not in ("hate", "noHate") or row["split"] == "unsampled":
                continue
            text = row["text"]
            split = row["split"]
            if split == "train":
                split = _carve(text, 10, "stormfront")
            hate = int(row["label"] == "hate")
            out.append(
                Example(
                    text,
                    hate,
                    "stormfront",
                    split,
                    categories={"identity_attack": hate},
                )
            )
    return out


# --- sets added for hate, threats and attributes (issue 15) ----------------------


def _three_way(text: str, salt: str) -> str:
    """15 % test, 10 % val, the rest train, by text hash (sets with no split)."""
    bucket = _bucket(text, salt)
    return "test" if bucket < 15 else "val" if bucket < 25 else "train"


def _read_quoted_tsv(path: Path) -> list[dict[str, str]]:
    # Tab-separated with CSV-style double-quote quoting (unlike OLID).
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def load_implicit_hate(data_dir: Path) -> list[Example]:
    """Latent Hatred stage 1 (implicit or explicit hate = 1; CC BY 4.0), own
    15/10/75 split by text hash. Stage-2 ``threatening`` posts are THREAT
    positives; hate posts are identity attacks (every post is about a group)."""
    folder = data_dir / "implicit-hate"
    implicit_class: dict[str, str] = {}
    for row in _read_quoted_tsv(folder / "implicit_hate_v1_stg2_posts.tsv"):
        classes = {row["implicit_class"], row.get("extra_implicit_class") or ""}
        implicit_class[_key(row["post"])] = (
            "threatening" if "threatening" in classes else row["implicit_class"]
        )
    out: list[Example] = []
    for row in _read_quoted_tsv(folder / "implicit_hate_v1_stg1_posts.filtered.tsv"):
        text = row["post"]
        hate = int(row["class"] != "not_hate")
        kind = implicit_class.get(_key(text))
        explicit = row["class"] == "explicit_hate"
        categories = {
            "identity_attack": hate,
            "severe": int(explicit or kind == "threatening"),
        }
        if not explicit:
            # Explicit-hate posts have no stage-2 type: their threat is unknown.
            categories["threat"] = int(kind == "threatening")
        out.append(
            Example(
                text,
                hate,
                "implicit-hate",
                _three_way(text, "implicit-hate"),
                categories=categories,
            )
        )
    return out


def load_gab(data_dir: Path) -> list[Example]:
    """Gab Hate Corpus: any of human degradation (hd), call for violence (cv)
    or vulgarity (vo) = 1; official train (10 % val by hash) and test."""
    folder = data_dir / "gab-hate-corpus"
    out: list[Example] = []
    for name, split in (("ghc_train", "train"), ("ghc_test", "test")):
        for row in _read_quoted_tsv(folder / f"{name}.filtered.tsv"):
            text = row["text"]
            hd, cv, vo = (int(row[k]) for k in ("hd", "cv", "vo"))
            categories = {
                "identity_attack": hd,
                "threat": cv,
                "obscene": vo,
                "severe": int(hd or cv),
            }
            out.append(
                Example(
                    text,
                    int(hd or cv or vo),
                    "gab",
                    _carve(text, 10, "gab") if split == "train" else split,
                    categories=categories,
                )
            )
    return out


def load_edos(data_dir: Path) -> list[Example]:
    """EDOS sexism (CC0), official train/dev/test; sexist posts attack women as a
    group (identity attack); category 1 is threats and incitement."""
    path = data_dir / "edos" / "edos_labelled_aggregated.filtered.csv"
    out: list[Example] = []
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            sexist = int(row["label_sexist"] == "sexist")
            threat = int(row["label_category"].startswith("1."))
            severe = int(threat or row["label_vector"].startswith("2.3"))
            split = {"dev": "val"}.get(row["split"], row["split"])
            out.append(
                Example(
                    row["text"],
                    sexist,
                    "edos",
                    split,
                    categories={
                        "identity_attack": sexist,
                        "threat": threat,
                        "severe": severe,
                    },
                )
            )
    return out


def load_fox_news(data_dir: Path) -> list[Example]:
    """Fox News comments (MIT), hateful = 1, split by thread so no thread is on
    both sides: three of the ten threads are ``val``, the rest ``test``. Not a
    training set (1,510 comments): news-comment validation and evaluation."""
    path = data_dir / "fox-news-comments" / "fox-news-comments.filtered.json"
    out: list[Example] = []
    with path.open(encoding="utf-8") as f:
        records = [json.loads(line) for line in f if line.strip()]
    titles = sorted({r["title"] for r in records}, key=lambda t: _bucket(t, "fox"))
    val_titles = set(titles[:3])
    for r in records:
        split = "val" if r["title"] in val_titles else "test"
        out.append(Example(r["text"], int(r["label"]), "fox-news", split))
    return out


def load_convabuse(data_dir: Path) -> list[Example]:
    """ConvAbuse (CC BY 4.0): users' messages to chatbots, official splits.
    Abusive = most of the annotators who labelled it chose a severity -1 to -3;
    ``severe`` = most chose -2 or -3 (strongly or very strongly abusive).
    The split files repeat a header name, so columns are read by position:
    17 per annotator after the seven context columns."""
    folder = data_dir / "convabuse" / "2_splits"
    out: list[Example] = []
    for name, split in (("train", "train"), ("valid", "val"), ("test", "test")):
        with (folder / f"ConvAbuseEMNLP{name}.filtered.csv").open(
            encoding="utf-8", newline=""
        ) as f:
            reader = csv.reader(f)
            header = next(reader)
            text_at = header.index("user")
            for row in reader:
                judged = abusive = severe = 0
                for first in range(7, len(row) - 16, 17):
                    levels = row[first : first + 5]
                    if not any(v.strip() for v in levels):
                        continue
                    judged += 1
                    chosen = [v.strip() == "1" for v in levels]
                    abusive += int(any(chosen[2:]))
                    severe += int(any(chosen[3:]))
                if not judged:
                    continue
                out.append(
                    Example(
                        row[text_at],
                        int(abusive * 2 > judged),
                        "convabuse",
                        split,
                        categories={"severe": int(severe * 2 > judged)},
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


def frame_of(text: str) -> str:
    """``text`` lower-cased with every identity term replaced by ``{t}``: the
    sentences one frame makes for different groups share it."""
    return _IDENTITY_RE.sub("{t}", text.lower())


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


def load_wiki_context(data_dir: Path) -> list[Example]:
    """Wikipedia talk comments rated without context (CAT-LARGE ``gn``,
    Apache-2.0; 0.6 % toxic): the civil population Parley's operating point is
    measured on. 30 % ``val`` by text hash, the rest ``test``; not trained on.
    The ``api`` column is a Perspective score, never read."""
    path = data_dir / "wiki-context-toxicity" / "CAT_LARGE" / "gn.filtered.csv"
    out: list[Example] = []
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            text = row["text"]
            split = "val" if _bucket(text, "wiki-context") < 30 else "test"
            out.append(Example(text, int(row["label"]), "wiki-context", split))
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
    "implicit-hate": load_implicit_hate,
    "gab": load_gab,
    "edos": load_edos,
    "fox-news": load_fox_news,
    "convabuse": load_convabuse,
    "wiki-context": load_wiki_context,
}


# Sets a model may be trained on (terms allow it; see each SOURCE.md and the
# model card). fox-news is trainable too but kept for news-comment validation.
TRAINING_SOURCES = (
    "kaggle-insults",
    "toxic-spans",
    "olid",
    "stormfront",
    "implicit-hate",
    "gab",
    "edos",
    "davidson",
    "convabuse",
)


def corpus_examples(data_dir: Path) -> list[Example]:
    """Every training set and fox-news, test overlaps dropped (see below)."""
    rows: list[Example] = []
    for name in (*TRAINING_SOURCES, "fox-news", "wiki-context"):
        rows.extend(LOADERS[name](data_dir))
    return drop_test_overlap(rows)


def sample_by_hash(rows: Sequence[Example], limit: int, salt: str) -> list[Example]:
    """At most ``limit`` rows, chosen by a hash of their text (stable)."""
    if len(rows) <= limit:
        return list(rows)
    ranked = sorted(
        rows, key=lambda e: hashlib.sha256((salt + e.text).encode()).digest()
    )
    return ranked[:limit]


def drop_test_overlap(examples: Iterable[Example]) -> list[Example]:
    """Training and validation rows whose text is also a test text of any set
    are dropped (some sets share posts: implicit-hate and gab share 120)."""
    rows = list(examples)
    test = {_key(e.text) for e in rows if e.split == "test"}
    return [e for e in rows if e.split == "test" or _key(e.text) not in test]


def load_all(data_dir: Path, names: Iterable[str] | None = None) -> list[Example]:
    """Every available set (a missing folder is skipped, not an error)."""
    out: list[Example] = []
    for name in names or LOADERS:
        try:
            out.extend(LOADERS[name](data_dir))
        except FileNotFoundError:
            continue
    return out
