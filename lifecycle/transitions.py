"""Status transitions: the only code that changes a comment's status.

A transition moves a comment (locked by the caller) to another status and, in the
same transaction, writes its immutable Decision row, updates the denormalised
counters (the story's published comments, the reply counts of the comment's
ancestors), takes the comment out of its ranked moderation queue (a changed status
means a decided comment, or a new place in a queue that moderation's after-commit
subscriber stores) and announces the change after commit (`lifecycle.events`).

Transitions are not moderators' actions: `moderation.services.actions` decides
*whether* a moderator may approve or reject and what else happens (reports
resolved, authors sanctioned); it then calls a transition here, as do comment
edits and withdrawals (articles), the pipeline (moderation) and appeals (readers).
A decision that keeps the status (featuring, a sanction on a rejected comment) is
recorded with `comment_decision_record`.
"""

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

from django.db import connection
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone

from accounts.models import User
from articles.models import (
    TOMBSTONE_STATUSES,
    Article,
    Comment,
    CommentStatus,
    shown_top_level,
)
from core import rows
from moderation.models import Decision, QueuePriority

from .events import StatusChanged, status_changed


@dataclass
class Transition:
    """One comment to move to `to_status`, with what its Decision row records."""

    comment: Comment
    to_status: str
    source: str
    actor: User | None = None
    reasons: Sequence[dict[str, Any]] = field(default_factory=list)
    rejection_reason: str = ""
    note: str = ""
    toxicity: float | None = None
    model_version: str = ""


def comments_transition(
    transitions: Sequence[Transition], *, bulk: bool | None = None
) -> list[Decision]:
    """Apply transitions to locked comments, one Decision row per real change.

    The caller holds the comments under select_for_update in a transaction. A
    transition to the status a comment already has writes nothing. `bulk` (default:
    more than one real change) is passed on to the hook's subscribers.
    """
    now = timezone.now()
    real = [t for t in transitions if t.comment.status != t.to_status]
    if not real:
        return []
    decisions = [
        Decision(
            comment=t.comment,
            text_version=t.comment.text_version,
            from_status=t.comment.status,
            to_status=t.to_status,
            source=t.source,
            actor=t.actor,
            reasons=list(t.reasons),
            rejection_reason=t.rejection_reason,
            note=t.note,
            toxicity=t.toxicity,
            model_version=t.model_version,
            created_at=now,
        )
        for t in real
    ]
    if connection.vendor == "postgresql" and len({t.comment.pk for t in real}) == len(
        real
    ):
        _apply_in_one_statement(real, decisions, now)
    else:
        _apply(real, decisions, now)
    is_bulk = len(real) > 1 if bulk is None else bulk
    status_changed.announce_on_commit(
        [
            StatusChanged(
                comment_id=t.comment.pk,
                article_id=t.comment.article_id,
                parent_id=t.comment.parent_id,
                decision_id=d.pk,
                old_status=d.from_status,
                new_status=d.to_status,
                source=d.source,
                actor_id=d.actor_id,
                bulk=is_bulk,
            )
            for t, d in zip(real, decisions, strict=True)
        ]
    )
    for t in real:
        t.comment.status = t.to_status
        t.comment.status_changed_at = now
    return decisions


def comment_transition(
    *,
    comment: Comment,
    to_status: str,
    source: str,
    actor: User | None = None,
    reasons: Sequence[dict[str, Any]] = (),
    rejection_reason: str = "",
    note: str = "",
    toxicity: float | None = None,
    model_version: str = "",
) -> Decision | None:
    """Move one locked comment to `to_status`; None (and no row) if unchanged."""
    decisions = comments_transition(
        [
            Transition(
                comment=comment,
                to_status=to_status,
                source=source,
                actor=actor,
                reasons=reasons,
                rejection_reason=rejection_reason,
                note=note,
                toxicity=toxicity,
                model_version=model_version,
            )
        ]
    )
    return decisions[0] if decisions else None


def comment_decision_record(
    *,
    comment: Comment,
    source: str,
    actor: User | None = None,
    rejection_reason: str = "",
    note: str = "",
    toxicity: float | None = None,
    model_version: str = "",
) -> Decision:
    """Record a decision that keeps the comment's status (from = to); no event."""
    return Decision.objects.create(
        comment=comment,
        text_version=comment.text_version,
        from_status=comment.status,
        to_status=comment.status,
        source=source,
        actor=actor,
        rejection_reason=rejection_reason,
        note=note,
        toxicity=toxicity,
        model_version=model_version,
    )


def _apply(
    real: Sequence[Transition], decisions: list[Decision], now: datetime
) -> None:
    """Write the decisions, statuses, queue rows and counters with the ORM."""
    Decision.objects.bulk_create(decisions)
    by_status: dict[str, list[int]] = {}
    for t in real:
        by_status.setdefault(t.to_status, []).append(t.comment.pk)
    for status, ids in by_status.items():
        Comment.objects.filter(pk__in=ids).update(status=status, status_changed_at=now)
    # Out of its queue with the change itself, so a queue page never lists a
    # comment decided a moment ago (moderation.services.priority ranks it again if
    # it entered one).
    QueuePriority.objects.filter(comment_id__in=[t.comment.pk for t in real]).delete()
    _counters_update(real)
    _shown_update(real)


@cache
def _apply_sql() -> str:
    """`_apply` as one statement built once per process (PostgreSQL): the
    decisions inserted, and from their rows the comments' new status, the queue
    rows dropped and the stories' counters; their ids in insertion order.

    Each row is written once (the comments of one call are distinct), as
    PostgreSQL requires of a statement's data-modifying parts."""
    comment, queue, article = (rows.table(m) for m in (Comment, QueuePriority, Article))
    pk = rows.quote("id")
    status, changed_at = (
        rows.column(Comment, n) for n in ("status", "status_changed_at")
    )
    count = rows.column(Article, "published_comment_count")
    shown = rows.column(Article, "shown_top_level_count")
    comment_id, to_status = (rows.column(Decision, n) for n in ("comment", "to_status"))
    queued = rows.column(QueuePriority, "comment")
    return (
        f"WITH d AS ({rows.insert_rows_sql(Decision)} "  # noqa: S608  (names from _meta)
        f"RETURNING {pk}, {comment_id}, {to_status}), "
        f"c AS (UPDATE {comment} SET {status} = d.{to_status}, {changed_at} = %s "
        f"FROM d WHERE {comment}.{pk} = d.{comment_id}), "
        f"q AS (DELETE FROM {queue} WHERE {queued} IN (SELECT {comment_id} FROM d)), "
        # Stories in ascending id order (the arrays are sorted), as the ORM's
        # `pk__in=sorted(ids)` locks them: two batches never wait on each other
        # in a cycle.
        f"a AS (UPDATE {article} "
        f"SET {count} = GREATEST({article}.{count} + v.delta, 0), "
        f"{shown} = GREATEST({article}.{shown} + v.shown, 0) "
        f"FROM unnest(%s::bigint[], %s::integer[], %s::integer[]) "
        f"AS v(id, delta, shown) "
        f"WHERE {article}.{pk} = v.id) "
        f"SELECT {pk} FROM d ORDER BY {pk}"
    )


def _apply_in_one_statement(
    real: Sequence[Transition], decisions: list[Decision], now: datetime
) -> None:
    """`_apply` in one round trip; the reply counters of replies' ancestors in a
    second one, when a reply's visibility changed; the stories' shown top-level
    counts in a third, when a top-level comment changed or a reply's visibility
    did."""
    articles, replies = _deltas(real)
    known, before, shown_delta, shown_stories = _shown_candidates(real)
    # Every story whose shown top-level count may change is locked here with
    # those whose published count changes, in id order, so the last statement
    # takes no lock of its own (two batches never wait on each other in a cycle).
    for article_id in shown_stories:
        articles.setdefault(article_id, 0)
    stories = sorted(articles.items())
    with connection.cursor() as cursor:
        cursor.execute(
            _apply_sql(),
            [
                rows.records(Decision, decisions),
                now,
                rows.int_array(pk for pk, _ in stories),
                rows.int_array(delta for _, delta in stories),
                rows.int_array(known.get(pk, 0) for pk, _ in stories),
            ],
        )
        # Sequence values are taken in insertion order, which is the order given.
        ids = [row[0] for row in cursor.fetchall()]
    for decision, pk in zip(decisions, ids, strict=True):
        decision.pk = pk
        decision._state.adding = False
        decision._state.db = connection.alias
    if replies:
        parents = sorted(replies.items())
        with connection.cursor() as cursor:
            cursor.execute(
                _replies_sql(),
                [
                    rows.int_array(pk for pk, _ in parents),
                    rows.int_array(delta for _, delta in parents),
                ],
            )
    if before or shown_delta:
        roots = sorted(before.keys() | shown_delta.keys())
        with connection.cursor() as cursor:
            cursor.execute(
                _shown_sql(),
                [
                    rows.int_array(roots),
                    [before.get(pk) for pk in roots],
                    rows.int_array(shown_delta.get(pk, 0) for pk in roots),
                ],
            )


@cache
def _replies_sql() -> str:
    """Add each reply's change to every ancestor's reply count: the ancestors
    found by a recursive walk up `parent` (one statement, where `_ancestors`
    takes one query per level), each counter written once with its total."""
    comment, pk = rows.table(Comment), rows.quote("id")
    parent, count = (
        rows.column(Comment, n) for n in ("parent", "published_reply_count")
    )
    return (
        f"WITH RECURSIVE up(id, delta) AS ("  # noqa: S608  (names from _meta)
        f"SELECT * FROM unnest(%s::bigint[], %s::integer[]) "
        f"UNION ALL SELECT c.{parent}, up.delta FROM up "
        f"JOIN {comment} c ON c.{pk} = up.id WHERE c.{parent} IS NOT NULL), "
        f"total AS (SELECT id, SUM(delta) AS delta FROM up GROUP BY id) "
        f"UPDATE {comment} SET {count} = GREATEST({comment}.{count} + total.delta, 0) "
        f"FROM total WHERE {comment}.{pk} = total.id AND total.delta <> 0"
    )


@cache
def _shown_sql() -> str:
    """Add each story's change in shown top-level comments (`shown_top_level`):
    for every top-level comment that changed status or whose published replies
    changed in this batch, shown now (its row as the batch left it) against
    shown before (its status before the batch, its reply count less the batch's
    change). Run after the reply counters."""
    comment, article, pk = rows.table(Comment), rows.table(Article), rows.quote("id")
    status, replies, story = (
        rows.column(Comment, n) for n in ("status", "published_reply_count", "article")
    )
    shown = rows.column(Article, "shown_top_level_count")
    published = f"'{CommentStatus.PUBLISHED.value}'"
    tombstone = ", ".join(f"'{s.value}'" for s in TOMBSTONE_STATUSES)

    def is_shown(state: str, count: str) -> str:
        return f"({state} = {published} OR ({state} IN ({tombstone}) AND {count} > 0))"

    now = is_shown(f"c.{status}", f"c.{replies}")
    then = is_shown(f"COALESCE(v.before, c.{status})", f"c.{replies} - v.delta")
    return (
        f"WITH v(id, before, delta) AS (SELECT * FROM "  # noqa: S608  (names from _meta)
        f"unnest(%s::bigint[], %s::text[], %s::integer[])), "
        f"d AS (SELECT c.{story} AS id, SUM(CASE WHEN {now} THEN 1 ELSE 0 END "
        f"- CASE WHEN {then} THEN 1 ELSE 0 END) AS delta "
        f"FROM {comment} c JOIN v ON c.{pk} = v.id GROUP BY c.{story}) "
        f"UPDATE {article} SET {shown} = GREATEST({article}.{shown} + d.delta, 0) "
        f"FROM d WHERE {article}.{pk} = d.id AND d.delta <> 0"
    )


def _shown_candidates(
    real: Sequence[Transition],
) -> tuple[Counter[int], dict[int, str], Counter[int], set[int]]:
    """How the batch changes the stories' shown top-level counts, in parts:

    * by story, what top-level comments changing status add or take whatever
      their replies (a status that is not a tombstone's: shown if and only if
      published);
    * the top-level comments changing between a tombstone's status and another,
      with their status before (shown then depends on their published replies);
    * the top-level comments whose published replies change, with the change
      (shown changes if a tombstone's count crosses zero);
    * every story any of these is in.

    The last two are read from the rows as the batch leaves them (`_shown_sql`,
    `_shown_update`): a top-level comment may be in both the first and the third
    (its status change at its old count, then its replies' change at its new
    status)."""
    known: Counter[int] = Counter()
    before: dict[int, str] = {}
    stories: set[int] = set()
    for t in real:
        comment = t.comment
        if comment.parent_id is not None:
            continue
        stories.add(comment.article_id)
        if {comment.status, t.to_status} & set(TOMBSTONE_STATUSES):
            before[comment.pk] = comment.status
        else:
            published = CommentStatus.PUBLISHED
            known[comment.article_id] += int(t.to_status == published) - int(
                comment.status == published
            )
    delta: Counter[int] = Counter()
    for t, change in _published_deltas(real):
        if t.comment.parent_id is not None and t.comment.root_id is not None:
            delta[t.comment.root_id] += change
            stories.add(t.comment.article_id)
    delta = Counter({pk: d for pk, d in delta.items() if d})
    return Counter({k: v for k, v in known.items() if v}), before, delta, stories


def _shown_update(real: Sequence[Transition]) -> None:
    """`_shown_sql` with the ORM: the candidates read as the batch left them."""
    known, before, delta, candidates = _shown_candidates(real)
    # The stories first, in id order, as the one-statement path locks them: a
    # batch under the same story waits here, then reads what that one left.
    # (Every row: `.exists()` would lock only the first, with its LIMIT 1.)
    list(
        Article.objects.select_for_update()
        .filter(pk__in=sorted(candidates))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    stories: Counter[int] = Counter(known)
    found = Comment.objects.filter(pk__in=sorted(before.keys() | delta.keys()))
    for pk, article_id, status, replies in found.values_list(
        "pk", "article_id", "status", "published_reply_count"
    ):
        then = shown_top_level(before.get(pk, status), replies - delta[pk])
        stories[article_id] += int(shown_top_level(status, replies)) - int(then)
    _add(Article, "shown_top_level_count", stories)


# -- counters ---------------------------------------------------------------


def _published_deltas(
    real: Sequence[Transition],
) -> Iterator[tuple[Transition, int]]:
    """Each transition that publishes (+1) or unpublishes (-1) its comment."""
    for t in real:
        delta = int(t.to_status == CommentStatus.PUBLISHED) - int(
            t.comment.status == CommentStatus.PUBLISHED
        )
        if delta:
            yield t, delta


def _deltas(real: Sequence[Transition]) -> tuple[Counter[int], Counter[int]]:
    """The change in published comments per story, and per parent of a reply
    whose visibility changed (each of the parent's ancestors gets it too)."""
    articles: Counter[int] = Counter()
    parents: Counter[int] = Counter()
    for t, delta in _published_deltas(real):
        articles[t.comment.article_id] += delta
        if t.comment.parent_id is not None:
            parents[t.comment.parent_id] += delta
    # Changes that cancel out write nothing, as in `_add`.
    return (
        Counter({pk: d for pk, d in articles.items() if d}),
        Counter({pk: d for pk, d in parents.items() if d}),
    )


def _counters_update(real: Sequence[Transition]) -> None:
    """Add the changes in published comments to the story and reply counters."""
    articles: Counter[int] = Counter()
    parents: dict[int, int] = {}  # comment -> its parent, for the ancestor walk
    deltas: dict[int, int] = {}
    for t, delta in _published_deltas(real):
        articles[t.comment.article_id] += delta
        if t.comment.parent_id is not None:
            deltas[t.comment.pk] = delta
            parents[t.comment.pk] = t.comment.parent_id
    _add(Article, "published_comment_count", articles)
    replies: Counter[int] = Counter()
    for pk, ancestors in _ancestors(parents).items():
        for ancestor in ancestors:
            replies[ancestor] += deltas[pk]
    _add(Comment, "published_reply_count", replies)


def _ancestors(parents: dict[int, int]) -> dict[int, list[int]]:
    """Every comment's ancestors, nearest first: one query per level of depth."""
    chains = {pk: [parent] for pk, parent in parents.items()}
    open_chains = dict(chains)
    while open_chains:
        tips = {chain[-1] for chain in open_chains.values()}
        up = dict(
            Comment.objects.filter(pk__in=tips, parent__isnull=False).values_list(
                "pk", "parent_id"
            )
        )
        open_chains = {
            pk: chain for pk, chain in open_chains.items() if chain[-1] in up
        }
        for chain in open_chains.values():
            chain.append(up[chain[-1]])
    return chains


def _add(
    model: type[Article] | type[Comment], field_name: str, deltas: Counter[int]
) -> None:
    by_delta: dict[int, list[int]] = {}
    for pk, delta in deltas.items():
        if delta:
            by_delta.setdefault(delta, []).append(pk)
    for delta, ids in by_delta.items():
        # Never below zero, even if rows were written around the transitions.
        model.objects.filter(pk__in=sorted(ids)).update(
            **{field_name: Greatest(F(field_name) + delta, 0)}
        )


def counters_recount(*, article_ids: Iterable[int] | None = None) -> tuple[int, int]:
    """Recompute the counters from the comments (all stories, or those given);
    returns how many stories and comments had a wrong count.

    For data written around the transitions (fixtures, demo data, imports,
    repairs: `manage.py counters_recount`); the transitions keep them right
    incrementally.
    """
    articles = Article.objects.all()
    comments = Comment.objects.all()
    if article_ids is not None:
        ids = list(article_ids)
        articles = articles.filter(pk__in=ids)
        comments = comments.filter(article_id__in=ids)
    rows = list(comments.values_list("pk", "article_id", "parent_id", "status"))
    published: Counter[int] = Counter()
    replies: Counter[int] = Counter()
    parent_of = {pk: parent for pk, _, parent, _ in rows}
    for pk, article_id, parent_id, status in rows:
        if status != CommentStatus.PUBLISHED:
            continue
        published[article_id] += 1
        seen = {pk}
        ancestor: int | None = parent_id
        while ancestor is not None and ancestor not in seen:
            replies[ancestor] += 1
            seen.add(ancestor)
            ancestor = parent_of.get(ancestor)
    shown: Counter[int] = Counter()
    for pk, article_id, parent_id, status in rows:
        if parent_id is None and shown_top_level(status, replies[pk]):
            shown[article_id] += 1
    stale_articles = [
        a
        for a in articles.only("pk", "published_comment_count", "shown_top_level_count")
        if (a.published_comment_count, a.shown_top_level_count)
        != (published[a.pk], shown[a.pk])
    ]
    for a in stale_articles:
        a.published_comment_count = published[a.pk]
        a.shown_top_level_count = shown[a.pk]
    Article.objects.bulk_update(
        stale_articles, ["published_comment_count", "shown_top_level_count"]
    )
    stale_comments = [
        c
        for c in comments.only("pk", "published_reply_count")
        if c.published_reply_count != replies[c.pk]
    ]
    for c in stale_comments:
        c.published_reply_count = replies[c.pk]
    Comment.objects.bulk_update(
        stale_comments, ["published_reply_count"], batch_size=1000
    )
    return len(stale_articles), len(stale_comments)
