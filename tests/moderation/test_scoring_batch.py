"""A scoring batch's writes (moderation.services.scoring, lifecycle.transitions):
on PostgreSQL they are a few statements built once per process, elsewhere the
ORM's; both must leave the same rows, counters, queue rows and events."""

from collections.abc import Callable, Iterator, Sequence

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from articles.models import Article, Comment, CommentStatus
from articles.services import comment_edit
from lifecycle.events import StatusChanged, on_status_changed_batch, status_changed
from lifecycle.transitions import counters_recount
from moderation.models import (
    CommentScore,
    Decision,
    ModerationSettings,
    PipelineResult,
    QueuePriority,
    WordRule,
)
from moderation.services import scoring
from moderation.services.scoring import comment_score, comments_score_waiting
from tests.factories import make_comment, make_user

CIVIL = "Thanks for the clear reporting on the council vote, very useful."
TOXIC = "You are a stupid idiot and a pathetic moron, shut up."

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tiny_model")]

Capture = Callable[..., object]


@pytest.fixture
def announced() -> Iterator[list[StatusChanged]]:
    """The status changes announced after commit, in order."""
    seen: list[StatusChanged] = []

    def receiver(events: Sequence[StatusChanged]) -> None:
        seen.extend(events)

    on_status_changed_batch(receiver)
    yield seen
    status_changed.unsubscribe(receiver)


def _waiting(article: Article, author: User, body: str, **fields: object) -> Comment:
    return make_comment(
        article=article, author=author, body=body, status="pending", **fields
    )


def test_a_batch_publishes_holds_and_rejects_each_with_its_own_rows(
    regular: User,
    article: Article,
    announced: list[StatusChanged],
    django_capture_on_commit_callbacks: Capture,
) -> None:
    """One batch of civil, toxic and banned-word comments: each gets its status,
    one pipeline Decision recording what its result says, its score, the story's
    counter counts the published one, and the held one is in Needs review."""
    # given three waiting comments of different kinds
    WordRule.objects.create(pattern="scoundrel", kind=WordRule.Kind.BANNED)
    civil = _waiting(article, regular, CIVIL)
    toxic = _waiting(article, regular, TOXIC)
    banned = _waiting(article, regular, "What a scoundrel of a councillor.")
    before = Article.objects.get(pk=article.pk).published_comment_count
    # when the worker scores what is waiting
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[attr-defined]
        assert comments_score_waiting(batch_size=10) == 3
    # then each has its status and one pipeline decision agreeing with its result
    expected = {
        civil.pk: CommentStatus.PUBLISHED,
        toxic.pk: CommentStatus.HELD,
        banned.pk: CommentStatus.REJECTED,
    }
    for pk, status in expected.items():
        comment = Comment.objects.get(pk=pk)
        assert comment.status == status
        (decision,) = Decision.objects.filter(comment_id=pk)
        result = PipelineResult.objects.get(comment_id=pk)
        score = CommentScore.objects.get(comment_id=pk)
        assert (decision.from_status, decision.to_status, decision.source) == (
            CommentStatus.PENDING,
            status,
            Decision.Source.PIPELINE,
        )
        assert decision.text_version == result.text_version == score.text_version == 1
        assert decision.reasons == result.reasons
        assert decision.toxicity == result.toxicity == score.toxicity
        assert decision.model_version == result.model_version == score.model_version
        assert decision.created_at == comment.status_changed_at
        assert (
            result.outcome
            == {
                CommentStatus.PUBLISHED: "publish",
                CommentStatus.HELD: "hold",
                CommentStatus.REJECTED: "reject",
            }[status]
        )
    codes = {r.comment_id: r.reason_codes for r in PipelineResult.objects.all()}
    assert "TOXIC" in codes[toxic.pk]
    assert "BANNED_WORD" in codes[banned.pk]
    # and the story counts the one published comment
    after = Article.objects.get(pk=article.pk).published_comment_count
    assert after == before + 1
    # and only the held comment waits in a ranked queue
    assert list(QueuePriority.objects.values_list("comment_id", "queue")) == [
        (toxic.pk, "needs_review")
    ]
    # and each change was announced once after commit, with its own decision
    assert sorted((e.comment_id, e.new_status) for e in announced) == sorted(
        expected.items()
    )
    for event in announced:
        decision = Decision.objects.get(pk=event.decision_id)
        assert decision.comment_id == event.comment_id
        assert (event.old_status, event.bulk) == (CommentStatus.PENDING, True)


def test_a_comment_edited_during_its_batch_is_left_for_its_new_text(
    regular: User, article: Article, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stale work is dropped: a comment edited while its batch was scored gets
    nothing of the old text (no score, result or decision); the others of the
    batch are decided."""
    # given three waiting comments, the second edited while the batch is scored
    first, edited, third = (_waiting(article, regular, f"{CIVIL} {n}") for n in "abc")
    real_run = scoring.run_pipeline_batch

    def run_then_edit(*args: object, **kwargs: object) -> object:
        runs = real_run(*args, **kwargs)  # type: ignore[arg-type]
        comment_edit(comment=edited, editor=regular, body=TOXIC)
        return runs

    monkeypatch.setattr(scoring, "run_pipeline_batch", run_then_edit)
    # when the batch is scored
    assert comments_score_waiting(batch_size=10) == 2
    # then the edited comment waits for its new text, untouched by the old one
    edited.refresh_from_db()
    assert (edited.status, edited.text_version) == (CommentStatus.PENDING, 2)
    assert not CommentScore.objects.filter(comment=edited).exists()
    assert not PipelineResult.objects.filter(comment=edited).exists()
    assert not Decision.objects.filter(comment=edited, source="pipeline").exists()
    # and the other two were decided
    for comment in (first, third):
        comment.refresh_from_db()
        assert comment.status == CommentStatus.PUBLISHED
        assert Decision.objects.filter(comment=comment, source="pipeline").count() == 1
    # and the new text is decided on its own
    monkeypatch.setattr(scoring, "run_pipeline_batch", real_run)
    comment_score(comment_id=edited.pk, text_version=2)
    edited.refresh_from_db()
    assert edited.status == CommentStatus.HELD
    assert CommentScore.objects.get(comment=edited).text_version == 2


def test_rescoring_a_held_comment_updates_its_score_row_in_place(
    regular: User, article: Article
) -> None:
    """Scores are upserted on (comment, model version): a held comment scored
    again keeps one row per model, with the new figures and reasons, stays
    held, and gets no second decision; its queue row follows the new score."""
    # given a held comment, scored once
    comment = _waiting(article, regular, TOXIC)
    comments_score_waiting(batch_size=10)
    first = CommentScore.objects.get(comment=comment)
    result = PipelineResult.objects.get(comment=comment)
    # when its stored score is stale and the comment is rescored
    CommentScore.objects.filter(pk=first.pk).update(toxicity=0.0, categories={})
    comment_score(comment_id=comment.pk, text_version=1, rescore=True)
    # then the same row holds the fresh score
    (again,) = CommentScore.objects.filter(comment=comment)
    assert again.pk == first.pk
    assert again.toxicity == first.toxicity
    assert again.categories == first.categories
    assert again.scored_at > first.scored_at
    # and the result is rewritten, the comment still held with one decision
    rescored = PipelineResult.objects.get(comment=comment)
    assert rescored.pk == result.pk
    assert rescored.decided_at > result.decided_at
    comment.refresh_from_db()
    assert comment.status == CommentStatus.HELD
    assert Decision.objects.filter(comment=comment).count() == 1
    assert QueuePriority.objects.get(comment=comment).toxicity == again.toxicity


def test_replies_decided_in_one_batch_count_for_every_ancestor(
    regular: User, article: Article
) -> None:
    """A reply and its own reply published together: the story and each
    ancestor's reply count grow by what was published below them, as a recount
    from the comments finds."""
    # given a published comment with a waiting reply, and a reply to that reply
    top = make_comment(article=article, author=regular, body=f"{CIVIL} top")
    reply = _waiting(article, regular, f"{CIVIL} reply", parent=top)
    nested = _waiting(article, regular, f"{CIVIL} nested", parent=reply)
    # when both are scored in one batch
    assert comments_score_waiting(batch_size=10) == 2
    # then both are published and counted above them
    top.refresh_from_db()
    reply.refresh_from_db()
    nested.refresh_from_db()
    assert [c.status for c in (reply, nested)] == [CommentStatus.PUBLISHED] * 2
    assert (top.published_reply_count, reply.published_reply_count) == (2, 1)
    assert nested.published_reply_count == 0
    counted = Article.objects.get(pk=article.pk).published_comment_count
    # and a recount from the comments finds the same figures
    counters_recount(article_ids=[article.pk])
    assert Article.objects.get(pk=article.pk).published_comment_count == counted
    assert [
        Comment.objects.get(pk=c.pk).published_reply_count for c in (top, reply)
    ] == [2, 1]


def test_rejecting_a_published_reply_takes_it_off_every_count(
    regular: User, article: Article
) -> None:
    """A moderator's transition (not the pipeline's) on the same path: a
    published reply rejected leaves the story's and its ancestors' counts."""
    from lifecycle.transitions import comment_transition

    # given a thread of three published comments
    top = make_comment(article=article, author=regular)
    middle = make_comment(article=article, author=regular, parent=top)
    leaf = make_comment(article=article, author=regular, parent=middle)
    moderator = make_user(username="mod2", is_staff=True)
    story_before = Article.objects.get(pk=article.pk).published_comment_count
    # when the middle one is rejected
    decision = comment_transition(
        comment=Comment.objects.get(pk=middle.pk),
        to_status=CommentStatus.REJECTED,
        source=Decision.Source.MODERATOR,
        actor=moderator,
        rejection_reason="abusive",
    )
    # then it has a decision of its own and left the counts above it
    assert decision is not None
    assert decision.pk is not None
    stored = Decision.objects.get(pk=decision.pk)
    assert (stored.comment_id, stored.actor_id, stored.rejection_reason) == (
        middle.pk,
        moderator.pk,
        "abusive",
    )
    assert Article.objects.get(pk=article.pk).published_comment_count == (
        story_before - 1
    )
    assert Comment.objects.get(pk=top.pk).published_reply_count == 1
    assert Comment.objects.get(pk=leaf.pk).status == CommentStatus.PUBLISHED


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the statements built for PostgreSQL"
)
def test_a_batch_costs_the_same_few_statements_whatever_its_size(
    regular: User,
    article: Article,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    """Scoring is a fixed number of statements per batch, not per comment."""
    counts = []
    # The first batch also registers the shipped model and the settings row.
    for size in (1, 2, 20):
        for n in range(size):
            _waiting(article, regular, f"{CIVIL} {size}-{n}")
        with (
            CaptureQueriesContext(connection) as queries,
            django_capture_on_commit_callbacks(execute=True),  # type: ignore[attr-defined]
        ):
            assert comments_score_waiting(batch_size=size) == size
        counts.append(len(queries))
    assert counts[1] == counts[2]
    assert counts[2] <= 17


def test_new_commenter_rule_counts_each_author_exactly_up_to_its_setting(
    article: Article, mod_settings: ModerationSettings
) -> None:
    """With the rule at three published comments, an author with two is held
    as a new commenter ("2 published so far"), one with five is not, and the
    comments of the batch itself do not count."""
    # given
    mod_settings.new_commenter_count = 3
    mod_settings.save()
    newish, regular = make_user(username="newish"), make_user(username="old-hand")
    for n in range(2):
        make_comment(author=newish, body=f"{CIVIL} newish {n}")
    for n in range(5):
        make_comment(author=regular, body=f"{CIVIL} regular {n}")
    waiting = [
        _waiting(article, author, f"{CIVIL} {author.username} {n}")
        for author in (newish, regular)
        for n in range(2)
    ]
    # when
    assert comments_score_waiting(batch_size=10) == 4
    # then
    for comment in waiting:
        result = PipelineResult.objects.get(comment=comment)
        if comment.author_id == newish.pk:
            assert [r["code"] for r in result.reasons] == ["NEW_COMMENTER"]
            assert result.reasons[0]["detail"] == "2 published so far"
        else:
            assert result.reasons == []
