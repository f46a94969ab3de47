"""Bulk approval: many comments in one transaction, with the same checks as one."""

from typing import Any

import pytest
from django.contrib.auth.models import Group

from accounts.models import User
from articles.models import Comment, CommentStatus
from core.errors import InvalidInput
from moderation.models import Decision, FeaturedComment, Report, ReporterRecord
from moderation.services import actions
from tests.factories import make_comment, make_comments, make_user


@pytest.fixture
def moderator(db: None) -> User:
    user = make_user(username="maria", display_name="Maria", is_staff=True)
    group, _ = Group.objects.get_or_create(name="Moderators")
    user.groups.add(group)
    return user


@pytest.mark.django_db
def test_bulk_approve_publishes_in_one_go_and_overrules_reports(
    moderator: User, django_assert_max_num_queries: Any
) -> None:
    """Every held comment is published with its own Decision row; open reports on
    them are overruled; the query count does not grow with the number of comments."""
    # given
    held = make_comments(30, status=CommentStatus.HELD)
    reporter = make_user(username="rita")
    Report.objects.create(comment=held[0], reporter=reporter, reason="spam")
    # when
    with django_assert_max_num_queries(20):
        outcome = actions.comments_approve(
            seen=dict.fromkeys((c.pk for c in held), None), moderator=moderator
        )
    # then
    assert outcome.refused == []
    assert len(outcome.decisions) == 30
    statuses = set(
        Comment.objects.filter(pk__in=[c.pk for c in held]).values_list(
            "status", flat=True
        )
    )
    assert statuses == {CommentStatus.PUBLISHED}
    assert Decision.objects.filter(source="moderator", actor=moderator).count() == 30
    assert Report.objects.get().resolution == Report.Resolution.OVERRULED


@pytest.mark.django_db
def test_bulk_approve_leaves_withdrawn_and_meanwhile_decided_comments(
    moderator: User,
) -> None:
    """A withdrawn comment and one decided since the page was read are refused by
    name; the others are approved."""
    # given
    fine = make_comment(status=CommentStatus.HELD)
    gone = make_comment(status=CommentStatus.WITHDRAWN)
    raced = make_comment(status=CommentStatus.HELD)
    seen_fine, seen_raced = (
        getattr(actions.latest_decision(c.pk), "pk", 0) for c in (fine, raced)
    )
    Decision.objects.create(
        comment=raced, text_version=1, from_status="held", to_status="held",
        source="moderator", actor=make_user(username="omar"),
    )  # fmt: skip
    # when
    outcome = actions.comments_approve(
        seen={fine.pk: seen_fine, gone.pk: None, raced.pk: seen_raced},
        moderator=moderator,
    )
    # then
    assert [d.comment_id for d in outcome.decisions] == [fine.pk]
    assert any("withdrawn" in m for m in outcome.refused)
    assert any(f"Comment {raced.pk} was already decided" in m for m in outcome.refused)
    raced.refresh_from_db()
    assert raced.status == CommentStatus.HELD


@pytest.mark.django_db
def test_bulk_approve_overrules_many_reports_in_few_queries(
    moderator: User, django_assert_max_num_queries: Any
) -> None:
    """Thirty reported comments, each reported by the same three readers: every
    report is overruled and each reader's record counts all thirty, for a query
    count that does not grow with the number of reports."""
    # given
    held = make_comments(30, status=CommentStatus.HELD)
    readers = [make_user(username=f"reader{i}") for i in range(3)]
    ReporterRecord.objects.create(user=readers[0], upheld=2, weight=1.5)
    Report.objects.bulk_create(
        Report(comment=c, reporter=r, reason="spam") for c in held for r in readers
    )
    # when
    with django_assert_max_num_queries(25):
        actions.comments_approve(
            seen=dict.fromkeys((c.pk for c in held), None), moderator=moderator
        )
    # then
    assert set(Report.objects.values_list("resolution", flat=True)) == {
        Report.Resolution.OVERRULED
    }
    assert Report.objects.filter(resolved_by=moderator).count() == 90
    records = {r.user_id: r for r in ReporterRecord.objects.all()}
    assert (records[readers[0].pk].upheld, records[readers[0].pk].overruled) == (2, 30)
    assert records[readers[0].pk].weight == pytest.approx(2 * 3 / 34)
    assert records[readers[1].pk].overruled == 30
    assert records[readers[1].pk].weight == pytest.approx(2 / 32)


@pytest.mark.django_db
def test_bulk_reject_rejects_in_one_go_as_reject_does_each(
    moderator: User, django_assert_max_num_queries: Any
) -> None:
    """Bulk reject: each comment rejected with the reason chosen, its reports
    upheld and its feature removed; a withdrawn one is refused by name; an
    unknown reason is refused with the reasons to choose from; the query count
    does not grow with the number of comments."""
    # given
    held = make_comments(30, status=CommentStatus.HELD)
    featured = make_comment(status=CommentStatus.PUBLISHED)
    FeaturedComment.objects.create(comment=featured, featured_by=moderator)
    Report.objects.create(
        comment=featured, reporter=make_user(username="rita"), reason="spam"
    )
    gone = make_comment(status=CommentStatus.WITHDRAWN)
    chosen = [*held, featured, gone]
    # when
    with pytest.raises(InvalidInput, match="Choose a rejection reason"):
        actions.comments_reject(
            seen={featured.pk: None}, moderator=moderator, reason="rude"
        )
    with django_assert_max_num_queries(25):
        outcome = actions.comments_reject(
            seen=dict.fromkeys((c.pk for c in chosen), None),
            moderator=moderator,
            reason="spam",
        )
    # then
    assert outcome.refused == [f"Comment {gone.pk} was withdrawn by its author."]
    assert sorted(d.comment_id for d in outcome.decisions) == sorted(
        c.pk for c in [*held, featured]
    )
    assert {(d.to_status, d.rejection_reason) for d in outcome.decisions} == {
        ("rejected", "spam")
    }
    assert set(
        Comment.objects.filter(pk__in=[c.pk for c in chosen]).values_list(
            "status", flat=True
        )
    ) == {CommentStatus.REJECTED, CommentStatus.WITHDRAWN}
    assert not FeaturedComment.objects.exists()
    assert Report.objects.get().resolution == Report.Resolution.UPHELD
