"""Load a site-sized data set: by default a million comments on 2,000 stories by
50,000 readers, with the shapes, statuses, scores, decisions and reports a busy
news site has. For benchmarks and capacity tests, never for production.

    python manage.py seed_load                      # 1,000,000 comments
    python manage.py seed_load --comments 20000 --stories 40 --readers 2000 \\
        --story-sizes 50,500,2000,5000              # + stories of exactly those sizes

Rows are written with PostgreSQL's COPY (bulk_create on other databases), with ids
assigned here and the sequences moved past them afterwards, then VACUUM (ANALYZE)
runs (the planner needs fresh statistics; autovacuum may be off). Shapes:

- readers' activity is heavy-tailed (a few write much of the thread);
- story sizes are log-normal; comments arrive over the first days of a story;
- 45% are top-level, the rest reply to a recent published comment of the story;
- statuses: mostly published; rejected, withdrawn, held (the review backlog) and
  pending (waiting for a worker) in the proportions given by the options;
- every decided comment has its pipeline result (reasons, toxicity), its score and
  its decisions; ~2% of published comments are reported, some reports still open.
"""

import json
import random
import time
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import User
from articles.models import (
    Article,
    Comment,
    CommentRevision,
    CommentStatus,
    shown_top_level,
)
from articles.text import render_body
from moderation.models import CommentScore, Decision, PipelineResult, Report
from moderation.reasons import ReportReason
from moderation.services import priority
from sites.models import Site

MODEL_VERSION = "seed-load-v1"
_OPENERS = [
    "I think", "Honestly,", "As someone who lives nearby,", "Good reporting, but",
    "Interesting piece.", "Not sure about this:", "Thanks for covering this.",
    "The council", "My neighbours and I", "Once again",
]  # fmt: skip
_MIDDLES = [
    "the bridge vote was rushed", "nobody asked the residents", "the figures in "
    "paragraph four look wrong", "this will cost more than they say", "the new "
    "schedule works well for us", "the minister should answer the question",
    "the budget leaves the libraries short", "the buses are late every morning",
    "the school results are better than reported", "this is a fair summary",
]  # fmt: skip
_ENDS = [
    ".", "!", "?", ". More here: https://example.org/report", ".\n\nEdit: typo.",
    ", and I say that as a long-time reader.", ". What do others think?",
]  # fmt: skip
_HOLD_REASONS = ["TOXIC", "NEW_COMMENTER", "LINKS", "SUSPECT_WORD", "REPEAT_POST"]
_REJECT_REASONS = ["TOXIC", "BANNED_WORD"]


class Command(BaseCommand):
    help = "Load a million comments (or as many as asked) for benchmarks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--comments", type=int, default=1_000_000)
        parser.add_argument("--stories", type=int, default=2_000)
        parser.add_argument("--readers", type=int, default=50_000)
        parser.add_argument(
            "--story-sizes",
            default="",
            help="Comma-separated sizes of extra stories (slugs load-SIZE), e.g. "
            "50,500,2000,5000: counted in --comments.",
        )
        parser.add_argument("--held", type=float, default=0.01)
        parser.add_argument("--pending", type=float, default=0.002)
        parser.add_argument("--rejected", type=float, default=0.05)
        parser.add_argument("--withdrawn", type=float, default=0.01)
        parser.add_argument("--reported", type=float, default=0.02)
        parser.add_argument("--seed", type=int, default=11)
        parser.add_argument("--prefix", default="load")

    def handle(self, *args: Any, **opts: Any) -> None:
        started = time.monotonic()
        prefix = opts["prefix"]
        if User.objects.filter(username=f"{prefix}-reader-0").exists():
            raise CommandError(
                f"A load with prefix {prefix!r} is already in this database; use "
                "another --prefix or a fresh database."
            )
        sizes = [int(s) for s in opts["story_sizes"].split(",") if s.strip()]
        if sum(sizes) > opts["comments"] or opts["stories"] < 1:
            raise CommandError("--story-sizes add up to more than --comments.")
        loader = _Loader(opts, sizes)
        with transaction.atomic():
            counts = loader.run()
            # Rows are written around the services: rank the queued ones here.
            counts["queue priorities"] = priority.priorities_refresh_all()
        if connection.vendor == "postgresql":
            # Fresh statistics for the planner, and the visibility map index-only
            # scans need (autovacuum would do both on a live site; it may be off).
            with connection.cursor() as cursor:
                # VACUUM cannot run in a transaction (a test's, say): ANALYZE can.
                atomic = connection.in_atomic_block
                cursor.execute("ANALYZE" if atomic else "VACUUM (ANALYZE)")
        took = time.monotonic() - started
        self.stdout.write(
            ", ".join(f"{n:,} {name}" for name, n in counts.items())
            + f" in {took:.0f} s"
        )


class _Loader:
    def __init__(self, opts: dict[str, Any], sizes: list[int]) -> None:
        self.opts = opts
        self.sizes = sizes
        # Reproducible shapes, not secrets.
        self.rng = random.Random(opts["seed"])  # noqa: S311
        self.now = timezone.now()
        self.next_id: dict[type[models.Model], int] = {
            model: (model._default_manager.aggregate(m=Max("pk"))["m"] or 0) + 1
            for model in (User, Article, Comment, CommentRevision, PipelineResult,
                          CommentScore, Decision, Report)
        }  # fmt: skip
        self.bodies = [self._body() for _ in range(400)]
        self.htmls = [render_body(b) for b in self.bodies]

    def _ids(self, model: type[models.Model], n: int) -> range:
        first = self.next_id[model]
        self.next_id[model] = first + n
        return range(first, first + n)

    def _body(self) -> str:
        r = self.rng
        return f"{r.choice(_OPENERS)} {r.choice(_MIDDLES)}{r.choice(_ENDS)}"

    def run(self) -> dict[str, int]:
        o = self.opts
        readers = self._readers(o["readers"])
        stories = self._stories(o["stories"])
        story_sizes = self._story_sizes(o["comments"], o["stories"])
        # Heavy-tailed activity: reader k writes in proportion to 1 / (k + 10).
        weights = [1.0 / (k + 10) for k in range(len(readers))]
        cum = list(_accumulate(weights))
        counts = {"readers": len(readers), "stories": len(stories)}
        totals = dict.fromkeys(
            ("comments", "decisions", "reports", "scores", "revisions"), 0
        )
        batch: dict[str, list[dict[str, Any]]] = _empty_batch()
        story_counts: dict[int, tuple[int, int]] = {}
        for story, size in zip(stories, story_sizes, strict=True):
            authors = self.rng.choices(readers, cum_weights=cum, k=size)
            story_counts[story["id"]] = self._thread(story, authors, batch, readers)
            if len(batch["comments"]) >= 50_000:
                self._flush(batch, totals)
                batch = _empty_batch()
        self._flush(batch, totals)
        _update_counts(story_counts)
        counts.update(totals)
        return counts

    def _readers(self, n: int) -> list[int]:
        ids = self._ids(User, n)
        password = make_password(None)
        joined = self.now - timedelta(days=800)
        _copy(
            User,
            (
                {
                    "id": pk,
                    "username": f"{self.opts['prefix']}-reader-{k}",
                    "display_name": f"Reader {k}",
                    "email": f"reader{k}@load.example",
                    "password": password,
                    "date_joined": joined,
                }
                for k, pk in enumerate(ids)
            ),
        )
        return list(ids)

    def _stories(self, n: int) -> list[dict[str, Any]]:
        ids = self._ids(Article, n + len(self.sizes))
        # Every story belongs to a site (issue 12): the load's own.
        site, _ = Site.objects.get_or_create(
            slug=f"{self.opts['prefix']}-site"[:50],
            defaults={"name": f"Load test ({self.opts['prefix']})"},
        )
        rows = []
        for k, pk in enumerate(ids):
            fixed = k < len(self.sizes)
            slug = (
                f"{self.opts['prefix']}-{self.sizes[k]}"
                if fixed
                else f"{self.opts['prefix']}-story-{k}"
            )
            published = self.now - timedelta(
                days=0.5 if fixed else self.rng.uniform(1, 365)
            )
            rows.append(
                {
                    "id": pk,
                    "site_id": site.pk,
                    "external_id": slug,
                    "slug": slug,
                    "title": f"Story {k}: the council and the bridge",
                    "standfirst": "What the vote means for the town.",
                    "body": "The council voted on Tuesday.\n\nMore follows.",
                    "byline": "A. Reporter",
                    "section": self.rng.choice(["News", "Politics", "Local"]),
                    "published_at": published,
                }
            )
        _copy(Article, rows)
        return rows

    def _story_sizes(self, total: int, n: int) -> list[int]:
        rest = total - sum(self.sizes)
        raw = [self.rng.lognormvariate(0, 1.2) for _ in range(n)]
        scale = rest / sum(raw)
        sizes = [max(0, int(r * scale)) for r in raw]
        sizes[0] += rest - sum(sizes)
        return [*self.sizes, *sizes]

    def _status(self) -> str:
        o = self.opts
        r = self.rng.random()
        for status, share in (
            (CommentStatus.HELD, o["held"]),
            (CommentStatus.PENDING, o["pending"]),
            (CommentStatus.REJECTED, o["rejected"]),
            (CommentStatus.WITHDRAWN, o["withdrawn"]),
        ):
            if r < share:
                return str(status)
            r -= share
        return str(CommentStatus.PUBLISHED)

    def _thread(
        self,
        story: dict[str, Any],
        authors: Sequence[int],
        batch: dict[str, list[dict[str, Any]]],
        readers: list[int],
    ) -> tuple[int, int]:
        """Write a story's thread to the batch: (published comments, top-level
        comments readers see)."""
        rng = self.rng
        ids = self._ids(Comment, len(authors))
        start: datetime = story["published_at"]
        span = min((self.now - start).total_seconds(), 3 * 86400)
        offsets = sorted(rng.random() ** 2 * span for _ in authors)
        published: list[int] = []
        info: dict[int, tuple[int, int, int]] = {}  # id -> (parent, root, depth)
        reply_counts: dict[int, int] = {}
        story_published = 0
        for pk, author, offset in zip(ids, authors, offsets, strict=True):
            at = start + timedelta(seconds=offset)
            parent = root = 0
            depth = 0
            if published and rng.random() > 0.45:
                back = min(int(rng.expovariate(1 / 8)), len(published) - 1)
                parent = published[-1 - back]
                _, p_root, p_depth = info[parent]
                root = p_root or parent
                depth = p_depth + 1
            status = self._status()
            info[pk] = (parent, root, depth)
            pick = rng.randrange(len(self.bodies))
            row = {
                "id": pk,
                "article_id": story["id"],
                "parent_id": parent or None,
                "root_id": root or None,
                "depth": depth,
                "author_id": author,
                "body": self.bodies[pick],
                "body_html": self.htmls[pick],
                "status": status,
                "text_version": 1,
                "created_at": at,
                "status_changed_at": at + timedelta(seconds=2),
            }
            batch["comments"].append(row)
            batch["revisions"].append(
                {"comment_id": pk, "version": 1, "body": row["body"], "created_at": at}
            )
            if status == CommentStatus.PUBLISHED:
                published.append(pk)
                story_published += 1
                ancestor = parent
                while ancestor:
                    reply_counts[ancestor] = reply_counts.get(ancestor, 0) + 1
                    ancestor = info[ancestor][0]
            if status != CommentStatus.PENDING:
                self._decided(row, batch)
            if (
                status == CommentStatus.PUBLISHED
                and rng.random() < self.opts["reported"]
            ):
                self._reports(row, batch, readers)
        shown = 0
        for row in batch["comments"][-len(ids) :] if ids else []:
            row["published_reply_count"] = reply_counts.get(row["id"], 0)
            if row["parent_id"] is None:
                shown += shown_top_level(row["status"], row["published_reply_count"])
        return story_published, shown

    def _decided(
        self, row: dict[str, Any], batch: dict[str, list[dict[str, Any]]]
    ) -> None:
        rng = self.rng
        status = row["status"]
        at = row["status_changed_at"]
        if status == CommentStatus.REJECTED:
            toxicity = rng.uniform(0.8, 1.0)
            codes = [rng.choice(_REJECT_REASONS)]
            outcome = "reject"
        elif status == CommentStatus.HELD:
            toxicity = rng.uniform(0.3, 0.9)
            codes = rng.sample(_HOLD_REASONS, rng.choice((1, 1, 2)))
            outcome = "hold"
        else:
            toxicity = rng.betavariate(1.2, 12)
            codes = []
            outcome = "publish"
        reasons = [{"code": c, "phase": "seed", "detail": ""} for c in codes]
        pipeline_status = (
            CommentStatus.PUBLISHED if status == CommentStatus.WITHDRAWN else status
        )
        batch["results"].append(
            {
                "comment_id": row["id"],
                "text_version": 1,
                "outcome": outcome,
                "reasons": json.dumps(reasons),
                "toxicity": toxicity,
                "model_version": MODEL_VERSION,
                "scoring_ms": rng.uniform(3, 40),
                "decided_at": at,
            }
        )
        batch["scores"].append(
            {
                "comment_id": row["id"],
                "model_version": MODEL_VERSION,
                "text_version": 1,
                "toxicity": toxicity,
                "categories": "{}",
                "explanation": "[]",
                "scored_at": at,
            }
        )
        batch["decisions"].append(
            {
                "comment_id": row["id"],
                "text_version": 1,
                "from_status": CommentStatus.PENDING,
                "to_status": pipeline_status,
                "source": Decision.Source.PIPELINE,
                "reasons": json.dumps(reasons),
                "toxicity": toxicity,
                "model_version": MODEL_VERSION,
                "created_at": at,
            }
        )
        if status == CommentStatus.WITHDRAWN:
            batch["decisions"].append(
                {
                    "comment_id": row["id"],
                    "text_version": 1,
                    "from_status": CommentStatus.PUBLISHED,
                    "to_status": CommentStatus.WITHDRAWN,
                    "source": Decision.Source.AUTHOR,
                    "actor_id": row["author_id"],
                    "reasons": "[]",
                    "note": "withdrawn by its author",
                    "created_at": at + timedelta(minutes=5),
                }
            )

    def _reports(
        self,
        row: dict[str, Any],
        batch: dict[str, list[dict[str, Any]]],
        readers: list[int],
    ) -> None:
        rng = self.rng
        reporters = {rng.choice(readers) for _ in range(rng.choice((1, 1, 1, 2, 3)))}
        reporters.discard(row["author_id"])
        still_open = rng.random() < 0.3
        for reporter in reporters:
            at = row["created_at"] + timedelta(minutes=rng.uniform(1, 600))
            batch["reports"].append(
                {
                    "comment_id": row["id"],
                    "reporter_id": reporter,
                    "reason": rng.choice(list(ReportReason.values)),
                    "resolution": Report.Resolution.PENDING
                    if still_open
                    else Report.Resolution.OVERRULED,
                    "created_at": at,
                    "resolved_at": None if still_open else at + timedelta(hours=2),
                }
            )

    def _flush(
        self, batch: dict[str, list[dict[str, Any]]], totals: dict[str, int]
    ) -> None:
        for key, model in (
            ("comments", Comment),
            ("revisions", CommentRevision),
            ("results", PipelineResult),
            ("scores", CommentScore),
            ("decisions", Decision),
            ("reports", Report),
        ):
            rows = batch[key]
            for row, pk in zip(rows, self._ids(model, len(rows)), strict=True):
                row.setdefault("id", pk)
            _copy(model, rows)
            if key in totals:
                totals[key] += len(rows)


def _empty_batch() -> dict[str, list[dict[str, Any]]]:
    return {
        k: []
        for k in ("comments", "revisions", "results", "scores", "decisions", "reports")
    }


def _accumulate(values: Iterable[float]) -> Iterable[float]:
    total = 0.0
    for v in values:
        total += v
        yield total


def _update_counts(story_counts: dict[int, tuple[int, int]]) -> None:
    """Each story's published comments and shown top-level comments."""
    by_count: dict[tuple[int, int], list[int]] = {}
    for pk, counts in story_counts.items():
        by_count.setdefault(counts, []).append(pk)
    for (published, shown), ids in by_count.items():
        Article.objects.filter(pk__in=ids).update(
            published_comment_count=published, shown_top_level_count=shown
        )


def _copy(model: type[models.Model], rows: Iterable[dict[str, Any]]) -> None:
    """Write rows (by attribute name; missing ones get the field's default)."""
    fields = list(model._meta.concrete_fields)
    defaults: dict[str, Any] = {}
    for f in fields:
        default = f.get_default() if f.has_default() else None
        if isinstance(f, models.JSONField):
            default = json.dumps(default)
        elif (
            default is None
            and not f.null
            and isinstance(f, models.CharField | models.TextField)
        ):
            default = ""
        defaults[f.attname] = default
    names = [f.attname for f in fields]
    if connection.vendor != "postgresql":
        objs = []
        for row in rows:
            values = {n: row.get(n, defaults[n]) for n in names}
            for f in fields:
                if isinstance(f, models.JSONField) and isinstance(
                    values[f.attname], str
                ):
                    values[f.attname] = json.loads(values[f.attname])
            objs.append(model(**values))
        model._default_manager.bulk_create(objs, batch_size=500)
        return
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    pg_cursor: Any
    with connection.cursor() as cursor:
        pg_cursor = cursor.cursor
        with pg_cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row.get(n, defaults[n]) for n in names])
        if model._meta.pk is not None and model._meta.pk.column:
            pk = connection.ops.quote_name(model._meta.pk.column)
            cursor.execute(
                # Identifiers from the model's metadata, quoted; values as parameters.
                f"SELECT setval(pg_get_serial_sequence(%s, %s), "  # noqa: S608
                f"(SELECT MAX({pk}) FROM {table}))",
                [model._meta.db_table, model._meta.pk.column],
            )
