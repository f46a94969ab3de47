"""Reports read like a newsroom's (issue 14, point 10) and the dashboard's numbers
are links (point 11)."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from articles.models import CommentStatus
from moderation import selectors
from moderation.models import Report
from tests.factories import make_comment, make_user


@pytest.fixture
def moderator(db: None) -> User:
    user = make_user(username="mod", display_name="Mo Derator", is_staff=True)
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


@pytest.fixture
def mod_client(moderator: User) -> Client:
    client = Client()
    client.force_login(moderator)
    return client


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
            reason=Report.Reason.ABUSIVE,
            created_at=now - timedelta(minutes=minutes),
        )
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
