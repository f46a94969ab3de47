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


# --- leave one corpus out ------------------------------------------------------


def leave_one_corpus_out(
    examples: Sequence[Example],
    train: Callable[[list[Example]], Scorer],
    corpora: Sequence[str],
    *,
    train_cap: int = 2500,
    measure_cap: int = 1500,
) -> dict[str, Any]:
    """For each corpus: train on the others, ROC AUC of TOXICITY on it.

    Measured on the held corpus's train and val rows (at most ``measure_cap``,
    by text hash), never on a test split, so model choices can be made on the
    mean. Each training corpus is cut to ``train_cap`` training rows by text
    hash to keep the ~10 fits lean; validation slices and shared rows
    (augmentation) are kept whole. A corpus never trained on (fox-news) is
    measured with the model trained on every corpus.
    """
    from sklearn.metrics import roc_auc_score

    from moderation.classifier.data import sample_by_hash

    by_source: dict[str, list[Example]] = {}
    for e in examples:
        by_source.setdefault(e.source, []).append(e)
    pool: list[Example] = []
    for source, rows in by_source.items():
        train_rows = [e for e in rows if e.split == "train"]
        pool += (
            sample_by_hash(train_rows, train_cap, "loco")
            if source
            not in (
                "augment-identity",
                "augment-threat",
                "augment-contrast",
                "decisions",
            )
            else train_rows
        )
        pool += [e for e in rows if e.split == "val"]
    table: dict[str, dict[str, float]] = {}
    full: Scorer | None = None
    for held in corpora:
        measure = sample_by_hash(
            [e for e in by_source.get(held, []) if e.split != "test"],
            measure_cap,
            "loco-measure",
        )
        labels = np.array([e.label for e in measure], dtype=np.float64)
        if len(set(labels.tolist())) < 2:
            continue
        trained_on_held = any(e.source == held for e in pool)
        if trained_on_held:
            scorer = train([e for e in pool if e.source != held])
        else:
            full = full or train(pool)
            scorer = full
        probs = scorer([e.text for e in measure])
        table[held] = {
            "n": float(len(measure)),
            "positives": float(labels.sum()),
            "roc_auc": float(roc_auc_score(labels, probs)),
            "held_out_of_training": float(trained_on_held),
        }
    aucs = [row["roc_auc"] for row in table.values()]
    return {
        "per_corpus": table,
        "mean_roc_auc": float(np.mean(aucs)) if aucs else float("nan"),
        "train_cap": train_cap,
        "measure_cap": measure_cap,
    }


def format_loco(loco: dict[str, Any]) -> str:
    lines = [
        "leave-one-corpus-out: trained on the other corpora (each cut to "
        f"{loco['train_cap']} training rows), TOXICITY ROC AUC on the held "
        f"corpus's train+val rows (at most {loco['measure_cap']}; test splits "
        "untouched)",
        f"{'held-out corpus':<18} {'n':>6} {'pos':>6} {'ROC AUC':>8}",
    ]
    for corpus, row in loco["per_corpus"].items():
        lines.append(
            f"{corpus:<18} {int(row['n']):>6} {int(row['positives']):>6} "
            f"{row['roc_auc']:>8.4f}"
        )
    lines.append(f"{'mean':<18} {'':>6} {'':>6} {loco['mean_roc_auc']:>8.4f}")
    return "\n".join(lines)


# --- attributes and the operating point -------------------------------------------

AttributeScorer = Callable[[Sequence[str]], FloatArray]


def attribute_metrics(
    scorer: AttributeScorer,
    names: Sequence[str],
    examples: Sequence[Example],
    label_of: dict[str, str],
) -> dict[str, Any]:
    """ROC AUC of each attribute on the test rows labelled for it, per source
    and pooled (TOXICITY: every test row's own binary label)."""
    from sklearn.metrics import roc_auc_score

    test = [e for e in examples if e.split == "test"]
    probs = scorer([e.text for e in test])
    source = np.array([e.source for e in test])
    out: dict[str, Any] = {}
    for j, name in enumerate(names):
        if name == "TOXICITY":
            y = np.array([e.label for e in test])
        else:
            key = label_of[name]
            y = np.array([e.categories.get(key, -1) for e in test])
        per_source: dict[str, dict[str, float]] = {}
        for s in sorted(set(source[y >= 0])):
            rows = (source == s) & (y >= 0)
            if len(set(y[rows].tolist())) == 2:
                per_source[s] = {
                    "n": float(rows.sum()),
                    "positives": float(y[rows].sum()),
                    "roc_auc": float(roc_auc_score(y[rows], probs[rows, j])),
                    "ece": expected_calibration_error(y[rows], probs[rows, j]),
                }
        rows = y >= 0
        result: dict[str, Any] = {"per_source": per_source}
        if len(set(y[rows].tolist())) == 2:
            result["pooled_roc_auc"] = float(roc_auc_score(y[rows], probs[rows, j]))
            result["mean_roc_auc"] = float(
                np.mean([v["roc_auc"] for v in per_source.values()])
            )
        out[name] = result
    return out


def format_attributes(results: dict[str, Any]) -> str:
    lines = [
        "attributes: ROC AUC (and ECE) on the test rows of every set labelled for it",
    ]
    for name, r in results.items():
        parts = [
            f"{s} {v['roc_auc']:.3f} ({int(v['positives'])}/{int(v['n'])}, "
            f"ECE {v['ece']:.3f})"
            for s, v in r["per_source"].items()
        ]
        lines.append(
            f"{name:<16} mean {r.get('mean_roc_auc', float('nan')):.4f}, pooled "
            f"{r.get('pooled_roc_auc', float('nan')):.4f}: " + "; ".join(parts)
        )
    return "\n".join(lines)


def hold_rates(
    toxic_probs: FloatArray,
    toxic_groups: Sequence[str],
    civil_probs: FloatArray,
    threshold: float,
) -> dict[str, float]:
    """Share of toxic comments held (recall; each group, i.e. source, weighted
    equally) and of civil comments held (flag rate) at ``threshold``."""
    groups = np.asarray(toxic_groups)
    recalls = [
        float((toxic_probs[groups == g] >= threshold).mean()) for g in set(groups)
    ]
    return {
        "threshold": threshold,
        "recall_toxic": float(np.mean(recalls)) if recalls else float("nan"),
        "flag_rate_civil": float((civil_probs >= threshold).mean())
        if len(civil_probs)
        else float("nan"),
    }


def choose_operating_point(
    toxic_probs: FloatArray,
    toxic_groups: Sequence[str],
    civil_probs: FloatArray,
    *,
    recall_goal: float = 0.85,
    flag_goal: float = 0.03,
) -> dict[str, Any]:
    """The news-comment operating point, chosen on validation rows.

    Goal: hold ≥ ``recall_goal`` of toxic comments while holding ≤
    ``flag_goal`` of civil ones. If a threshold meets both, the highest such
    one. If none does, the best trade-off this rule can reach: the lowest
    threshold that still holds at most ``flag_goal`` of civil comments (the
    most abuse caught without flooding the queue), with the threshold that
    would reach ``recall_goal`` and its flag rate reported beside it.
    """
    candidates = np.unique(np.round(np.concatenate([toxic_probs, civil_probs]), 4))
    rates = [
        hold_rates(toxic_probs, toxic_groups, civil_probs, float(t)) for t in candidates
    ]
    both = [
        r
        for r in rates
        if r["recall_toxic"] >= recall_goal and r["flag_rate_civil"] <= flag_goal
    ]
    recall_ok = [r for r in rates if r["recall_toxic"] >= recall_goal]
    flag_ok = [r for r in rates if r["flag_rate_civil"] <= flag_goal]
    if both:
        chosen = max(both, key=lambda r: r["threshold"])
    elif flag_ok:
        chosen = min(flag_ok, key=lambda r: r["threshold"])
    else:
        chosen = max(rates, key=lambda r: r["threshold"])
    at_recall_goal = max(recall_ok, key=lambda r: r["threshold"]) if recall_ok else None
    return {
        "value": chosen["threshold"],
        "recall_toxic": chosen["recall_toxic"],
        "flag_rate_civil": chosen["flag_rate_civil"],
        "meets_both_goals": bool(both),
        "recall_goal": recall_goal,
        "flag_goal": flag_goal,
        "at_recall_goal": at_recall_goal,
    }
