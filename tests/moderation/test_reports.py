"""Readers' reports: one per reader, weighted by the reporter's record, and a
published comment is held once its weighted reports reach the setting."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import User
from articles.models import CommentStatus
from core.errors import Conflict, NotAllowed
from moderation.models import Decision, ModerationSettings, Report, ReporterRecord
from moderation.services.reports import (
    comment_report,
    pending_report_weight,
    reporter_weight,
)
from tests.factories import make_comment, make_user


def test_reporter_weight_rises_with_upheld_and_falls_with_overruled() -> None:
    """New reporters weigh 1; reliable ones up to 2; unreliable ones towards 0."""
    assert reporter_weight(upheld=0, overruled=0) == 1.0
    assert reporter_weight(upheld=8, overruled=0) == pytest.approx(1.8)
    assert reporter_weight(upheld=0, overruled=8) == pytest.approx(0.2)


@pytest.mark.django_db
def test_weighted_reports_hold_a_published_comment_at_the_threshold() -> None:
    """Below the threshold the comment stays; at it, readers' reports hold it."""
    # given
    ModerationSettings.objects.update_or_create(
        pk=1, defaults={"report_hold_weight": 2.5}
    )
    comment = make_comment(status=CommentStatus.PUBLISHED)
    reliable = make_user()
    ReporterRecord.objects.create(user=reliable, upheld=3, overruled=0, weight=1.6)
    # when
    comment_report(comment=comment, reporter=make_user(), reason="abusive")
    comment.refresh_from_db()
    # then
    assert comment.status == CommentStatus.PUBLISHED
    # when
    comment_report(comment=comment, reporter=reliable, reason="spam", note="ad")
    comment.refresh_from_db()
    # then
    assert pending_report_weight(comment.pk) == pytest.approx(2.6)
    assert comment.status == CommentStatus.HELD
    decision = Decision.objects.filter(comment=comment).latest("id")
    assert decision.source == Decision.Source.READERS
    assert decision.reasons[0]["code"] == "REPORTED"


@pytest.mark.django_db
def test_unreliable_reporters_do_not_hold_a_comment_alone() -> None:
    """Three usually-overruled reporters weigh less than the threshold of 3."""
    # given
    comment = make_comment(status=CommentStatus.PUBLISHED)
    for _ in range(3):
        user = make_user()
        ReporterRecord.objects.create(user=user, overruled=4, weight=0.33)
        # when
        comment_report(comment=comment, reporter=user, reason="abusive")
    # then
    comment.refresh_from_db()
    assert comment.status == CommentStatus.PUBLISHED


@pytest.mark.django_db
def test_one_report_per_reader_and_not_of_their_own_comment(reader: User) -> None:
    """A second report by the same reader and a report of one's own are refused."""
    # given
    comment = make_comment(status=CommentStatus.PUBLISHED)
    comment_report(comment=comment, reporter=reader, reason="spam")
    # when / then
    with pytest.raises(Conflict, match="already reported"):
        comment_report(comment=comment, reporter=reader, reason="abusive")
    own = make_comment(author=reader, status=CommentStatus.PUBLISHED)
    with pytest.raises(NotAllowed, match="own comment"):
        comment_report(comment=own, reporter=reader, reason="spam")


@pytest.mark.django_db
def test_report_api_files_a_report_and_answers_in_the_error_shape(
    api: APIClient,
) -> None:
    """POST /api/v1/comments/{id}/report/ returns 201, then 409 for a repeat."""
    # given
    comment = make_comment(status=CommentStatus.PUBLISHED)
    url = f"/api/v1/comments/{comment.pk}/report/"
    # when
    first = api.post(url, {"reason": "off_topic", "note": "wrong story"})
    again = api.post(url, {"reason": "spam"})
    # then
    assert first.status_code == 201
    assert first.json()["reason"] == "off_topic"
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_reported"
    assert APIClient().post(url, {"reason": "spam"}).status_code in (401, 403)


@pytest.mark.django_db
def test_report_form_works_without_javascript(reader_client: Client) -> None:
    """The form page has labelled fields and a CSRF token; posting files a report."""
    # given
    comment = make_comment(status=CommentStatus.PUBLISHED, body="Buy cheap pills")
    url = reverse("comment-report-form", args=[comment.pk])
    # when
    page = reader_client.get(url).content.decode()
    response = reader_client.post(url, {"reason": "spam", "note": "advert"})
    # then
    assert "csrfmiddlewaretoken" in page
    assert "<legend>Why are you reporting this comment?</legend>" in page
    assert response.status_code == 302
    report = Report.objects.get(comment=comment)
    assert (report.reason, report.note) == ("spam", "advert")


@pytest.mark.django_db
def test_report_form_is_rate_limited(reader_client: Client) -> None:
    """Many reports in a minute are refused with 429."""
    # given
    comments = [make_comment(status=CommentStatus.PUBLISHED) for _ in range(12)]
    # when
    codes = [
        reader_client.post(
            reverse("comment-report-form", args=[c.pk]), {"reason": "spam"}
        ).status_code
        for c in comments
    ]
    # then
    assert codes[0] == 302
    assert codes[-1] == 429


@pytest.mark.django_db
def test_story_page_offers_a_report_link_to_signed_in_readers(
    reader_client: Client,
) -> None:
    """Other people's published comments carry a Report link."""
    # given
    comment = make_comment(status=CommentStatus.PUBLISHED)
    # when
    page = reader_client.get(comment.article.get_absolute_url()).content.decode()
    # then
    assert reverse("comment-report-form", args=[comment.pk]) in page
