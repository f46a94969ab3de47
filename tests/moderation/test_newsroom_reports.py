"""Reports read like a newsroom's (issue 14, point 10) and the dashboard's numbers
are links (point 11)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from articles.models import CommentStatus
from moderation import selectors
from moderation.models import Decision, Report
from moderation.reasons import ReportReason
from moderation.services.priority import priorities_refresh
from tests.factories import make_comment, make_user


@pytest.mark.django_db
def test_reported_queue_waits_from_the_first_report(mod_client: Client) -> None:
    """A week-old comment reported ten minutes ago has waited ten minutes."""
    # given
    now = timezone.now()
    old = make_comment(
        status=CommentStatus.PUBLISHED,
        created_at=now - timedelta(days=7),
        status_changed_at=now - timedelta(days=7),
    )
    for minutes, name in ((10, "first"), (3, "second")):
        Report.objects.create(
            comment=old,
            reporter=make_user(username=name),
            reason=ReportReason.ABUSIVE,
            created_at=now - timedelta(minutes=minutes),
        )
    # Reports written around the report service: store the queue row as it would.
    priorities_refresh(comment_ids=[old.pk])
    # when
    row = selectors.queue(selectors.Queue.REPORTED).get(pk=old.pk)
    page = mod_client.get(
        reverse("admin:moderation_reportedcomment_changelist")
    ).content.decode()
    # then
    waited = now - row.waiting_since  # type: ignore[attr-defined]
    assert timedelta(minutes=9) < waited < timedelta(minutes=11)
    assert row.p_waiting == 0  # type: ignore[attr-defined]
    assert '<td class="field-waiting_column">10 min</td>' in page
    assert '<td class="field-waiting_column">7 days</td>' not in page


@pytest.mark.django_db
def test_dashboard_numbers_are_links(mod_client: Client) -> None:
    """Each queue's count links to the queue, and Appeals is a row like the others."""
    make_comment(status=CommentStatus.HELD)
    page = mod_client.get(reverse("admin:index")).content.decode()
    queue = reverse("admin:moderation_needsreviewcomment_changelist")
    assert f'<td class="queue-count"><a href="{queue}">1</a></td>' in page
    appeals = reverse("admin:readers_appeal_changelist")
    assert f'<a href="{appeals}?status=pending">Appeals</a>' in page
    assert f'<td class="queue-count"><a href="{appeals}?status=pending">0</a>' in page
    assert "moderation/admin.css" in page
    assert "<style>" not in page.split('id="moderation-dashboard"')[1]


@pytest.mark.django_db
def test_report_page_shows_the_comment_and_a_reporter_link_a_moderator_can_open(
    mod_client: Client,
) -> None:
    """The report's page quotes the comment, links to it, and its reporter link
    opens for a moderator (not the user admin's 403); weights show two decimals."""
    # given
    comment = make_comment(body="You lot are all clowns.")
    reporter = make_user(username="reporter", display_name="Rita Reporter")
    report = Report.objects.create(
        comment=comment, reporter=reporter, reason=ReportReason.ABUSIVE, weight=1
    )
    # when
    listing = mod_client.get(reverse("admin:moderation_report_changelist"))
    page = mod_client.get(
        reverse("admin:moderation_report_change", args=[report.pk])
    ).content.decode()
    # then
    assert listing.status_code == 200
    for html in (listing.content.decode(), page):
        assert "You lot are all clowns." in html
        assert reverse("admin:moderation_allcomment_change", args=[comment.pk]) in html
        assert comment.get_absolute_url() in html
        assert "1.00" in html
    record = f"{reverse('admin:moderation_allcomment_changelist')}?author={reporter.pk}"
    assert record in page
    assert reverse("admin:accounts_user_change", args=[reporter.pk]) not in page
    assert mod_client.get(record).status_code == 200


@pytest.mark.django_db
def test_decision_page_shows_the_comment_and_two_decimal_scores(
    mod_client: Client, moderator: User
) -> None:
    """Decisions quote the comment with links, and scores read 0.73, not 0.7312."""
    comment = make_comment(body="A comment decided by a moderator.")
    decision = Decision.objects.create(
        comment=comment,
        text_version=1,
        from_status=CommentStatus.HELD,
        to_status=CommentStatus.PUBLISHED,
        source=Decision.Source.MODERATOR,
        actor=moderator,
        toxicity=0.7312,
    )
    for url in (
        reverse("admin:moderation_decision_changelist"),
        reverse("admin:moderation_decision_change", args=[decision.pk]),
    ):
        page = mod_client.get(url).content.decode()
        assert "A comment decided by a moderator." in page
        assert comment.get_absolute_url() in page
        assert "0.73" in page
        assert "0.7312" not in page


@pytest.mark.django_db
def test_bulk_and_review_messages_name_the_comment_and_outcome(
    mod_client: Client,
) -> None:
    """After an action the message says "Comment #32 approved."; banning does not
    reject the author's other held comments unless asked."""
    first = make_comment(status=CommentStatus.HELD)
    other = make_comment(status=CommentStatus.HELD, author=first.author)
    queue = reverse("admin:moderation_needsreviewcomment_changelist")
    # when
    listing = mod_client.get(queue).content.decode()
    bulk = mod_client.post(
        queue,
        {"action": "approve_comments", "_selected_action": [first.pk]},
        follow=True,
    )
    review = mod_client.post(
        reverse("admin:moderation_needsreviewcomment_change", args=[other.pk]),
        {"do": "reject", "reason": "spam", "days": "1"},
        follow=True,
    )
    # then
    assert 'name="reject_held"' in listing
    assert 'name="reject_held" checked' not in listing
    assert "action_fields" in listing or "data-action-fields" in listing
    assert f"Comment #{first.pk} approved." in bulk.content.decode()
    assert f"Comment #{other.pk} rejected." in review.content.decode()
