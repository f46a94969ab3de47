"""Trying a word rule on the last 1,000 comments before saving it."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from articles.models import CommentStatus
from moderation.models import Decision
from moderation.services.rules import rule_preview
from tests.factories import make_comment, make_user


@pytest.mark.django_db
def test_preview_lists_matches_and_how_many_moderators_approved() -> None:
    """Evasions match as the pipeline would; approved-by-moderator are counted."""
    # given
    caught = make_comment(body="What an 1d10t.", status=CommentStatus.PUBLISHED)
    approved = make_comment(body="idiots everywhere", status=CommentStatus.PUBLISHED)
    Decision.objects.create(
        comment=approved,
        text_version=1,
        from_status="held",
        to_status="published",
        source=Decision.Source.MODERATOR,
        actor=make_user(),
    )
    make_comment(body="Idiomatic English", status=CommentStatus.PUBLISHED)
    # when
    preview = rule_preview(pattern="idiot*")
    # then
    assert {c.pk for c in preview.matched} == {caught.pk, approved.pk}
    assert preview.approved_by_moderators == 1
    assert preview.scanned == 3


@pytest.mark.django_db
def test_preview_scans_only_the_most_recent_comments() -> None:
    """Older comments than the scan window are not looked at."""
    # given
    old = make_comment(body="idiot", status=CommentStatus.PUBLISHED)
    for _ in range(3):
        make_comment(body="fine", status=CommentStatus.PUBLISHED)
    # when
    preview = rule_preview(pattern="idiot", scan=3)
    # then
    assert old not in preview.matched
    assert preview.scanned == 3


@pytest.mark.django_db
def test_try_rule_page_in_the_admin_shows_the_preview() -> None:
    """A moderator opens "Try a rule" and sees the count and matching comments."""
    # given
    moderator = make_user(is_staff=True)
    moderator.groups.add(Group.objects.get(name="Moderators"))
    client = Client()
    client.force_login(moderator)
    make_comment(body="You moron", status=CommentStatus.HELD)
    # when
    response = client.get(
        reverse("admin:moderation_wordrule_try"), {"pattern": "moron"}
    )
    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert "would have caught <strong>1</strong> of the last 1 comment;" in page
    assert "You moron" in page
