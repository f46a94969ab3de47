# ruff: noqa: RUF001  (evasion examples hold look-alike letters)
"""Does this checkout's classifier score exactly like an older commit's, and how
much faster is it? Same model file, same texts, both in one process.

Run from the repository root:

    .venv/bin/python bench/classifier_same.py [--against main] [-n 5000]

The classifier package of ``--against`` (any git ref) is extracted to a
temporary folder under another name and imported beside this checkout's. Both
load the same model file and score the same test-split texts; every
probability, attribute and explanation must be equal bit for bit (the script
exits 1 otherwise). Then both score the texts taking turns, in batches and one
at a time, timed in CPU seconds of this process (other load on the machine
slows both alike). The last line is one JSON object.
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/http.py shares its name with the standard library's `http` package.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

import argparse
import importlib
import io
import json
import os
import resource
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Callable
from typing import Any

import numpy as np

_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(_ROOT))

from moderation.classifier import DEFAULT_MODEL_PATH, load_model
from moderation.classifier.data import (
    DEFAULT_DATA_DIR,
    load_kaggle_insults,
    load_olid,
    load_toxic_spans,
)

_OLD = "moderation_then"


def _import_old(ref: str, into: Path) -> Any:
    """The ``load_model`` of ``ref``'s classifier, imported as ``moderation_then``."""
    archive = subprocess.run(
        ["git", "archive", "--format=tar", ref, "moderation/classifier"],
        cwd=_ROOT,
        check=True,
        capture_output=True,
    ).stdout
    package = into / _OLD / "classifier"
    package.mkdir(parents=True)
    (into / _OLD / "__init__.py").write_text("")
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        for member in tar.getmembers():
            name = Path(member.name)
            if member.isfile() and name.parent == Path("moderation/classifier"):
                extracted = tar.extractfile(member)
                assert extracted is not None
                source = extracted.read()
                if name.suffix == ".py":
                    source = source.replace(
                        b"moderation.classifier", f"{_OLD}.classifier".encode()
                    )
                (package / name.name).write_bytes(source)
    sys.path.insert(0, str(into))
    return importlib.import_module(f"{_OLD}.classifier.artifact").load_model


def _cpu_rate(score: Callable[[list[str]], object], batches: list[list[str]]) -> float:
    started = time.process_time()
    for batch in batches:
        score(batch)
    return time.process_time() - started


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--against", default="main", help="git ref to compare with")
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL_PATH)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("-n", type=int, default=5000, help="texts compared")
    parser.add_argument("--explain", type=int, default=1000, help="texts explained")
    parser.add_argument("--rounds", type=int, default=6)
    args = parser.parse_args()
    load_at_start = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as folder:
        old_model = _import_old(args.against, Path(folder))(args.model)
        new_model = load_model(args.model)
        pool = [
            e.text
            for load in (load_kaggle_insults, load_olid, load_toxic_spans)
            for e in load(args.data)
            if e.split == "test"
        ]
        rng = np.random.default_rng(0)
        texts = [pool[i] for i in rng.permutation(len(pool))[: args.n]]
        # Hard cases beside the data: empty, evasions, other scripts, NULs.
        texts += [
            "",
            " ",
            "\x00",
            "a\x00b",
            "you are a 1d10t",
            "i d i o t",
            "ＩＤＩＯＴ",
            "іdіоt",
            "stuuuupid!!!",
            "visit https://x.example/a?b=c @someone",
            "black muslim gay people are middle eastern",
            "日本語のテキスト 😀",
            "x" * 20000,
        ]

        mismatches = 0
        old_all = [p.to_dict() for p in old_model.score(texts)]
        new_all = [p.to_dict() for p in new_model.score(texts)]
        # repr() compares floats bit for bit (and tells 0.0 from -0.0).
        pairs = zip(old_all, new_all, strict=True)
        mismatches += sum(repr(a) != repr(b) for a, b in pairs)
        for method in ("toxicity", "attribute_probabilities"):
            old_v = getattr(old_model.scorer, method)(texts)
            new_v = getattr(new_model.scorer, method)(texts)
            mismatches += int(old_v.tobytes() != new_v.tobytes())
        # One at a time (the pipeline's call) must equal in a batch.
        for text in texts[:300]:
            one = new_model.score([text])[0].to_dict()
            mismatches += repr(one) != repr(old_model.score([text])[0].to_dict())
        for text in texts[: args.explain]:
            a = [s.to_dict() for s in old_model.explain(text)]
            b = [s.to_dict() for s in new_model.explain(text)]
            mismatches += repr(a) != repr(b)
        print(
            f"{len(texts)} texts scored, {args.explain} explained: "
            f"{mismatches} differences against {args.against}"
        )

        timed = texts[: args.n]
        batches = [timed[i : i + 256] for i in range(0, len(timed), 256)]
        singles = [[t] for t in timed[:2000]]
        spent: dict[str, float] = {}
        for _ in range(args.rounds):
            for name, model in (("old", old_model), ("new", new_model)):
                for kind, parts in (("batch", batches), ("single", singles)):
                    key = f"{name}_{kind}"
                    spent[key] = spent.get(key, 0.0) + _cpu_rate(model.score, parts)
        figures: dict[str, float] = {
            "differences": float(mismatches),
            "texts": float(len(texts)),
        }
        for name in ("old", "new"):
            figures[f"{name}_score_per_cpu_s"] = (
                len(timed) * args.rounds / spent[f"{name}_batch"]
            )
            figures[f"{name}_single_us"] = (
                spent[f"{name}_single"] / (len(singles) * args.rounds) * 1e6
            )
        figures["speedup_batch"] = spent["old_batch"] / spent["new_batch"]
        figures["speedup_single"] = spent["old_single"] / spent["new_single"]
        figures["load_average_1min_at_start"] = load_at_start
        figures["load_average_1min_at_end"] = os.getloadavg()[0]
        figures["peak_rss_mb"] = (
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        )
    for key, value in figures.items():
        print(f"{key:<28} {value:12.4f}")
    print(json.dumps({k: round(v, 4) for k, v in figures.items()}))
    return 1 if mismatches else 0


if __name__ == "__main__":
    raise SystemExit(main())
