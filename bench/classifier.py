"""Throughput, latency and quality of Parley's classifier vs alt-profanity-check.

Run from the repository root, in the benchmark venv (see docs/benchmarks.md):

    .bench-venv/bin/python bench/classifier.py [--model PATH] [--data DIR] [-n 100000]

Both models score the same texts in the same process, pinned to one core. The
last line is one JSON object with every figure.
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/http.py shares its name with the standard library's `http` package: keep
# this folder off the import path so `import http.client` finds the real one.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

import argparse
import json
import os
import resource
import time
from collections.abc import Callable

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from moderation.classifier import DEFAULT_MODEL_PATH, load_model
from moderation.classifier.data import (
    DEFAULT_DATA_DIR,
    load_kaggle_insults,
    load_olid,
    load_toxic_spans,
)


def _pin_one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def _throughput(
    score: Callable[[list[str]], object], texts: list[str], batch: int
) -> float:
    started = time.perf_counter()
    for begin in range(0, len(texts), batch):
        score(texts[begin : begin + batch])
    return len(texts) / (time.perf_counter() - started)


def _latency_ms(
    score: Callable[[list[str]], object], texts: list[str]
) -> tuple[float, float]:
    timings = []
    for text in texts:
        started = time.perf_counter()
        score([text])
        timings.append((time.perf_counter() - started) * 1000)
    p50, p99 = np.percentile(timings, [50, 99])
    return float(p50), float(p99)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL_PATH)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("-n", type=int, default=100_000)
    parser.add_argument("--latency-samples", type=int, default=5_000)
    args = parser.parse_args()
    _pin_one_core()
    from profanity_check import predict_prob  # the baseline
    from sklearn.metrics import f1_score, roc_auc_score

    model = load_model(args.model)
    ours = model.scorer.toxicity
    insults = [e for e in load_kaggle_insults(args.data) if e.split == "test"]
    olid = [e for e in load_olid(args.data) if e.split == "test"]
    spans = [e for e in load_toxic_spans(args.data) if e.split == "test"]
    pool = [e.text for e in insults + olid + spans]
    rng = np.random.default_rng(0)
    texts = [pool[i] for i in rng.integers(0, len(pool), args.n)]
    mean_chars = np.mean([len(t) for t in texts])
    print(
        f"{args.n} comments drawn from {len(pool)} test-split texts "
        f"(kaggle-insults, OLID, toxic-spans), mean {mean_chars:.0f} chars"
    )
    ours([texts[0]])
    predict_prob([texts[0]])
    model.score([texts[0]])
    figures: dict[str, float] = {}
    figures["throughput_per_s"] = _throughput(ours, texts, 256)
    figures["baseline_throughput_per_s"] = _throughput(predict_prob, texts, 256)
    # What the pipeline calls: every attribute, as Prediction objects.
    figures["throughput_all_attributes_per_s"] = _throughput(model.score, texts, 256)
    figures["attributes"] = float(len(model.attribute_names))
    sample = texts[: args.latency_samples]
    figures["latency_p50_ms"], figures["latency_p99_ms"] = _latency_ms(ours, sample)
    (
        figures["latency_all_attributes_p50_ms"],
        figures["latency_all_attributes_p99_ms"],
    ) = _latency_ms(model.score, sample)
    base50, base99 = _latency_ms(predict_prob, sample)
    figures["baseline_latency_p50_ms"] = base50
    figures["baseline_latency_p99_ms"] = base99

    y_ins = np.array([e.label for e in insults])
    figures["auc_insults"] = float(
        roc_auc_score(y_ins, ours([e.text for e in insults]))
    )
    figures["baseline_auc_insults"] = float(
        roc_auc_score(y_ins, predict_prob([e.text for e in insults]))
    )
    y_olid = np.array([e.label for e in olid])
    tweets_threshold = model.thresholds.get("tweets", model.threshold)
    figures["macro_f1_olid"] = float(
        f1_score(
            y_olid, ours([e.text for e in olid]) >= tweets_threshold, average="macro"
        )
    )
    figures["baseline_macro_f1_olid"] = float(
        f1_score(y_olid, predict_prob([e.text for e in olid]) >= 0.5, average="macro")
    )
    figures["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for key, value in figures.items():
        print(f"{key:<28} {value:12.4f}")
    speed = figures["throughput_per_s"] / figures["baseline_throughput_per_s"]
    p99 = figures["latency_p99_ms"] / figures["baseline_latency_p99_ms"]
    speed_all = (
        figures["throughput_all_attributes_per_s"]
        / figures["baseline_throughput_per_s"]
    )
    p99_all = figures["latency_all_attributes_p99_ms"] / base99
    print(
        f"ratios vs baseline: throughput x{speed:.2f} (all attributes "
        f"x{speed_all:.2f}), p99 latency x{p99:.2f} (all attributes x{p99_all:.2f})"
    )
    print(json.dumps({k: round(v, 4) for k, v in figures.items()}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
