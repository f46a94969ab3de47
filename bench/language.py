"""Cost and verdicts of language identification (moderation.language).

    .venv/bin/python bench/language.py [--data ../shared/data] [--limit 2000]

Per comment, one at a time as the API and the pipeline call it: lingua's time,
and as the baseline in the same run the active classifier scoring the same
comment alone. Memory: the process's RSS before and after building the detector.
Verdicts: the share called "other language" and "undetermined" on English news
comments (kaggle-insults test), English, French and Arabic tweets (MLMA). The
last line is one JSON object.
"""

import sys
from pathlib import Path

# bench/http.py shares its name with the standard library's `http` package: keep
# this folder off the import path so `import http.client` finds the real one.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

import argparse
import csv
import io
import json
import resource
import statistics
import time
import zipfile

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _sets(data: Path, limit: int) -> dict[str, list[str]]:
    with (data / "kaggle-insults" / "test_with_solutions.csv").open(
        encoding="utf-8"
    ) as f:
        news = [
            r["Comment"].strip('"').encode().decode("unicode_escape", "ignore")
            for r in csv.DictReader(f)
        ]
    archive = zipfile.ZipFile(data / "mlma" / "hate_speech_mlma.zip")

    def tweets(name: str) -> list[str]:
        with archive.open(f"hate_speech_mlma/{name}") as raw:
            return [r["tweet"] for r in csv.DictReader(io.TextIOWrapper(raw, "utf-8"))]

    return {
        "news_en": news[:limit],
        "tweets_en": tweets("en_dataset_with_stop_words.csv")[:limit],
        "tweets_fr": tweets("fr_dataset.csv")[:limit],
        "tweets_ar": tweets("ar_dataset.csv")[:limit],
    }


def _per_comment_ms(fn: object, texts: list[str]) -> list[float]:
    out = []
    for text in texts:
        started = time.perf_counter()
        fn(text)  # type: ignore[operator]
        out.append((time.perf_counter() - started) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--limit", type=int, default=2000)
    args = parser.parse_args()
    from moderation import language
    from moderation.classifier import DEFAULT_MODEL_PATH, load_model

    sets = _sets(args.data, args.limit)
    model = load_model(DEFAULT_MODEL_PATH)
    model.score(["warm up"])
    before = _rss_mb()
    started = time.perf_counter()
    language.detector()
    build_s = time.perf_counter() - started
    detector_mb = _rss_mb() - before
    verdicts = {}
    lang_ms: list[float] = []
    for name, texts in sets.items():
        found = [language.detect(t) for t in texts]
        verdicts[name] = {
            "n": len(texts),
            "other_language": round(
                sum(d.is_other_language for d in found) / len(found), 4
            ),
            "undetermined": round(
                sum(d.language is None for d in found) / len(found), 4
            ),
        }
    sample = [t for texts in sets.values() for t in texts]
    lang_ms = _per_comment_ms(language.detect, sample)
    model_ms = _per_comment_ms(lambda t: model.score([t]), sample)

    def pct(values: list[float], q: float) -> float:
        ordered = sorted(values)
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 3)

    result = {
        "benchmark": "language",
        "languages": list(language.LANGUAGES),
        "detector_build_s": round(build_s, 2),
        "detector_rss_mb": round(detector_mb, 1),
        "comments_timed": len(sample),
        "language_mean_ms": round(statistics.fmean(lang_ms), 3),
        "language_p99_ms": pct(lang_ms, 0.99),
        "classifier_mean_ms": round(statistics.fmean(model_ms), 3),
        "classifier_p99_ms": pct(model_ms, 0.99),
        "mean_ratio_to_classifier": round(
            statistics.fmean(lang_ms) / statistics.fmean(model_ms), 2
        ),
        "verdicts": verdicts,
        "peak_rss_mb": {
            "bench": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        },
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
