"""Throughput, latency and quality of Parley's classifier vs alt-profanity-check.

Run from the repository root, in the benchmark venv (see docs/benchmarks.md):

    .bench-venv/bin/python bench/classifier.py [--model PATH] [--data DIR] [-n 100000]

Both models score the same texts in the same process, pinned to one core,
taking turns (slices of the texts for throughput, single texts for latency) so
that load from other processes falls on both alike. The last line is one JSON
object with every figure, the load average included.
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


Score = Callable[[list[str]], object]


def _throughput(
    scorers: dict[str, Score], texts: list[str], batch: int, rounds: int
) -> tuple[dict[str, float], dict[str, float]]:
    """Comments per second of each scorer, and the median over rounds of its
    rate divided by the first scorer's (the baseline).

    The texts are cut into ``rounds`` slices and every scorer runs each slice
    in turn, so a burst of load from other processes hits all of them alike
    instead of whichever happened to run at that moment.
    """
    spent = dict.fromkeys(scorers, 0.0)
    ratios: dict[str, list[float]] = {name: [] for name in scorers}
    size = -(-len(texts) // rounds)
    for begin in range(0, len(texts), size):
        part = texts[begin : begin + size]
        took = {}
        for name, score in scorers.items():
            started = time.perf_counter()
            for at in range(0, len(part), batch):
                score(part[at : at + batch])
            took[name] = time.perf_counter() - started
            spent[name] += took[name]
        base = next(iter(took.values()))
        for name in scorers:
            ratios[name].append(base / took[name])
    rates = {name: len(texts) / spent[name] for name in scorers}
    return rates, {name: float(np.median(r)) for name, r in ratios.items()}


def _latency_ms(
    scorers: dict[str, Score], texts: list[str]
) -> dict[str, tuple[float, float]]:
    """p50 and p99 of one-comment calls, the scorers taking turns per text."""
    timings: dict[str, list[float]] = {name: [] for name in scorers}
    for text in texts:
        for name, score in scorers.items():
            started = time.perf_counter()
            score([text])
            timings[name].append((time.perf_counter() - started) * 1000)
    out = {}
    for name, values in timings.items():
        p50, p99 = np.percentile(values, [50, 99])
        out[name] = (float(p50), float(p99))
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL_PATH)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("-n", type=int, default=100_000)
    parser.add_argument("--latency-samples", type=int, default=5_000)
    parser.add_argument(
        "--rounds",
        type=int,
        default=10,
        help="interleaved rounds: each scorer times each slice of the texts in turn",
    )
    args = parser.parse_args()
    load_at_start = os.getloadavg()[0]
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

    def score_and_read(batch: list[str]) -> None:
        # What the pipeline does with each prediction: read its categories.
        for prediction in model.score(batch):
            prediction.categories  # noqa: B018

    scorers: dict[str, Score] = {
        "baseline": predict_prob,
        "toxicity": ours,
        # What the pipeline calls: every attribute, as Prediction objects.
        "all_attributes": model.score,
        "all_attributes_read": score_and_read,
    }
    for score in scorers.values():
        score([texts[0]])
    rates, ratios = _throughput(scorers, texts, 256, args.rounds)
    figures: dict[str, float] = {}
    figures["throughput_per_s"] = rates["toxicity"]
    figures["baseline_throughput_per_s"] = rates["baseline"]
    figures["throughput_all_attributes_per_s"] = rates["all_attributes"]
    figures["throughput_all_attributes_read_per_s"] = rates["all_attributes_read"]
    figures["ratio_toxicity"] = ratios["toxicity"]
    figures["ratio_all_attributes"] = ratios["all_attributes"]
    figures["ratio_all_attributes_read"] = ratios["all_attributes_read"]
    figures["attributes"] = float(len(model.attribute_names))
    latency = _latency_ms(
        {k: scorers[k] for k in ("baseline", "toxicity", "all_attributes")},
        texts[: args.latency_samples],
    )
    figures["latency_p50_ms"], figures["latency_p99_ms"] = latency["toxicity"]
    (
        figures["latency_all_attributes_p50_ms"],
        figures["latency_all_attributes_p99_ms"],
    ) = latency["all_attributes"]
    base50, base99 = latency["baseline"]
    figures["baseline_latency_p50_ms"] = base50
    figures["baseline_latency_p99_ms"] = base99
    figures["load_average_1min_at_start"] = load_at_start
    figures["load_average_1min_at_end"] = os.getloadavg()[0]

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
    p99 = figures["latency_p99_ms"] / base99
    p99_all = figures["latency_all_attributes_p99_ms"] / base99
    print(
        f"ratios vs baseline (median of {args.rounds} interleaved rounds): "
        f"throughput x{ratios['toxicity']:.2f} (all attributes "
        f"x{ratios['all_attributes']:.2f}, reading each prediction "
        f"x{ratios['all_attributes_read']:.2f}), p99 latency x{p99:.2f} (all "
        f"attributes x{p99_all:.2f}); load average {load_at_start:.2f} at the "
        f"start, {figures['load_average_1min_at_end']:.2f} at the end"
    )
    print(json.dumps({k: round(v, 4) for k, v in figures.items()}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
