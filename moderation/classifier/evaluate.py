"""Metrics: ROC AUC, average precision, macro-F1, ECE, bias AUCs, span F1."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from moderation.classifier.data import (
    Example,
    SpanExample,
    identity_terms_in,
    load_all,
    load_span_set,
)

FloatArray = npt.NDArray[np.float64]
Scorer = Callable[[Sequence[str]], FloatArray]

# Sets of tweets get the threshold chosen on the OLID validation slice; news and
# forum comments the one chosen on the news validation slices.
TWEET_SOURCES = ("olid", "tweeteval-hate", "davidson")


def expected_calibration_error(
    labels: npt.ArrayLike, probs: npt.ArrayLike, bins: int = 10
) -> float:
    """Equal-width-bin ECE: mean |accuracy - confidence| weighted by bin size."""
    y = np.asarray(labels, dtype=np.float64)
    p = np.asarray(probs, dtype=np.float64)
    if not len(p):
        return float("nan")
    index = np.minimum((p * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        rows = index == b
        if rows.any():
            total += rows.sum() * abs(float(y[rows].mean()) - float(p[rows].mean()))
    return total / len(p)


def span_f1(predicted: set[int], gold: frozenset[int] | set[int]) -> float:
    """SemEval-2021 Task 5 per-post F1 on character offsets."""
    if not gold:
        return 1.0 if not predicted else 0.0
    if not predicted:
        return 0.0
    hit = len(predicted & gold)
    if not hit:
        return 0.0
    precision = hit / len(predicted)
    recall = hit / len(gold)
    return 2 * precision * recall / (precision + recall)


def binary_metrics(
    labels: FloatArray, probs: FloatArray, threshold: float
) -> dict[str, float]:
    from sklearn.metrics import average_precision_score, f1_score, roc_auc_score

    out: dict[str, float] = {"n": float(len(labels)), "positives": float(labels.sum())}
    if len(set(labels.tolist())) == 2:
        out["roc_auc"] = float(roc_auc_score(labels, probs))
        out["average_precision"] = float(average_precision_score(labels, probs))
    out["macro_f1"] = float(f1_score(labels, probs >= threshold, average="macro"))
    out["threshold"] = threshold
    out["ece"] = expected_calibration_error(labels, probs)
    return out


def bias_metrics(
    labels: FloatArray, probs: FloatArray, groups: Sequence[str], threshold: float
) -> dict[str, Any]:
    """Per-group subgroup, BPSN and BNSP AUC (Borkan et al. 2019) and FPR."""
    from sklearn.metrics import roc_auc_score

    group_arr = np.asarray(groups)
    per_group: dict[str, dict[str, float]] = {}
    for group in sorted(set(groups) - {""}):
        in_group = group_arr == group
        result: dict[str, float] = {"n": float(in_group.sum())}
        sub = in_group
        if len(set(labels[sub].tolist())) == 2:
            result["subgroup_auc"] = float(roc_auc_score(labels[sub], probs[sub]))
        # BPSN: background positives, subgroup negatives.
        bpsn = (in_group & (labels == 0)) | (~in_group & (labels == 1))
        if len(set(labels[bpsn].tolist())) == 2:
            result["bpsn_auc"] = float(roc_auc_score(labels[bpsn], probs[bpsn]))
        bnsp = (in_group & (labels == 1)) | (~in_group & (labels == 0))
        if len(set(labels[bnsp].tolist())) == 2:
            result["bnsp_auc"] = float(roc_auc_score(labels[bnsp], probs[bnsp]))
        negatives = in_group & (labels == 0)
        if negatives.any():
            result["fpr"] = float((probs[negatives] >= threshold).mean())
        per_group[group] = result
    summary: dict[str, Any] = {"per_group": per_group}
    for key in ("subgroup_auc", "bpsn_auc", "bnsp_auc"):
        values = [g[key] for g in per_group.values() if key in g]
        if values:
            summary[f"min_{key}"] = min(values)
            summary[f"mean_{key}"] = float(np.mean(values))
    mentioned = (group_arr != "") & (labels == 0)
    if mentioned.any():
        summary["fpr_identity_non_toxic"] = float(
            (probs[mentioned] >= threshold).mean()
        )
    return summary


def explanation_f1(
    explain: Callable[[str], list[tuple[int, int]]], posts: Sequence[SpanExample]
) -> float:
    scores = []
    for post in posts:
        predicted: set[int] = set()
        for start, end in explain(post.text):
            predicted.update(range(start, end))
        scores.append(span_f1(predicted, post.spans))
    return float(np.mean(scores)) if scores else float("nan")


def evaluate(
    scorer: Scorer,
    explain: Callable[[str], list[tuple[int, int]]] | None,
    data_dir: Path,
    thresholds: dict[str, float],
    examples: Sequence[Example] | None = None,
) -> dict[str, Any]:
    """Every metric the model card reports, on test splits only."""
    rows = list(examples) if examples is not None else load_all(data_dir)
    test = [e for e in rows if e.split == "test"]
    results: dict[str, Any] = {"datasets": {}}
    for source in sorted({e.source for e in test}):
        subset = [e for e in test if e.source == source]
        labels = np.array([e.label for e in subset], dtype=np.float64)
        probs = scorer([e.text for e in subset])
        domain = "tweets" if source in TWEET_SOURCES else "news"
        threshold = thresholds.get(domain, thresholds["news"])
        metrics: dict[str, Any] = dict(binary_metrics(labels, probs, threshold))
        metrics["threshold_domain"] = domain
        if source == "wiki-nonfuzzed" or source == "wiki-fuzzed":
            groups = [(identity_terms_in(e.text) or [""])[0] for e in subset]
            metrics["fpr_identity_non_toxic"] = bias_metrics(
                labels, probs, groups, threshold
            ).get("fpr_identity_non_toxic", float("nan"))
        if source == "wiki-madlibs":
            metrics["bias"] = bias_metrics(
                labels, probs, [e.group for e in subset], threshold
            )
        results["datasets"][source] = metrics
    trial = data_dir / "toxic-spans" / "SemEval2021" / "tsd_trial.csv"
    if explain is not None and trial.exists():
        results["explanation_char_f1_toxic_spans_trial"] = explanation_f1(
            explain, load_span_set(trial)
        )
    return results


def format_report(results: dict[str, Any]) -> str:
    """Human-readable lines for the ``evaluate`` command."""
    lines = [
        f"{'dataset (test split)':<22} {'n':>6} {'ROC AUC':>8} {'AP':>7} "
        f"{'macroF1':>8} {'thr':>6} {'ECE':>7}"
    ]
    for source, m in results["datasets"].items():
        lines.append(
            f"{source:<22} {int(m['n']):>6} {m.get('roc_auc', float('nan')):>8.4f} "
            f"{m.get('average_precision', float('nan')):>7.4f} {m['macro_f1']:>8.4f} "
            f"{m['threshold']:>6.3f} {m['ece']:>7.4f}"
        )
    data = results["datasets"]
    if "wiki-nonfuzzed" in data and "wiki-fuzzed" in data:
        a, b = data["wiki-nonfuzzed"], data["wiki-fuzzed"]
        lines.append("")
        lines.append(
            f"wiki AUC non-fuzzed {a['roc_auc']:.4f}, fuzzed {b['roc_auc']:.4f} "
            f"(gap {a['roc_auc'] - b['roc_auc']:+.4f}); FPR on non-toxic comments "
            f"that mention an identity: non-fuzzed "
            f"{a['fpr_identity_non_toxic']:.4f}, "
            f"fuzzed {b['fpr_identity_non_toxic']:.4f}"
        )
    if "wiki-madlibs" in data:
        m = data["wiki-madlibs"]
        bias = m["bias"]
        lines.append(
            f"templated identity set AUC {m['roc_auc']:.4f}; min subgroup AUC "
            f"{bias.get('min_subgroup_auc', float('nan')):.4f}, min BPSN "
            f"{bias.get('min_bpsn_auc', float('nan')):.4f}, min BNSP "
            f"{bias.get('min_bnsp_auc', float('nan')):.4f}; FPR on non-toxic "
            f"identity sentences {bias.get('fpr_identity_non_toxic', float('nan')):.4f}"
        )
        lines.append(
            f"{'identity term':<18} {'subgroup':>9} {'BPSN':>7} {'BNSP':>7} {'FPR':>6}"
        )
        for group, g in bias["per_group"].items():
            lines.append(
                f"{group:<18} {g.get('subgroup_auc', float('nan')):>9.4f} "
                f"{g.get('bpsn_auc', float('nan')):>7.4f} "
                f"{g.get('bnsp_auc', float('nan')):>7.4f} "
                f"{g.get('fpr', float('nan')):>6.3f}"
            )
    if "explanation_char_f1_toxic_spans_trial" in results:
        lines.append("")
        lines.append(
            "explanation char F1 on toxic-spans trial (SemEval 2021): "
            f"{results['explanation_char_f1_toxic_spans_trial']:.4f}"
        )
    return "\n".join(lines)
