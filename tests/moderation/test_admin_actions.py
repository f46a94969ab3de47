"""Moderators' actions through the admin: each writes an immutable decision row,
each is refused to staff without the permission, and a second moderator acting on
the same comment is told who decided it first."""

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from articles.models import Comment, CommentStatus
from core.errors import Conflict
from moderation.models import (
    AuthorStanding,
    Decision,
    FeaturedComment,
    Report,
    ReporterRecord,
)
from moderation.services import actions
from tests.factories import make_comment, make_held_comment, make_user

CHANGELIST = "admin:moderation_needsreviewcomment_changelist"


def held(**kw: object) -> Comment:
    return make_held_comment(**kw)


def login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def staff(db: None) -> User:
    """Staff who may read the queues but not decide or sanction."""
    user = make_user(username="intern", is_staff=True)
    user.user_permissions.add(
        *Group.objects.get(name="Moderators").permissions.filter(
            codename__startswith="view_"
        )
    )
    return user


def bulk(client: Client, action: str, comments: list[Comment], **extra: str) -> None:
    data = {
        "action": action,
        "_selected_action": [str(c.pk) for c in comments],
        "index": "0",
        **extra,
    }
    for c in comments:
        latest = Decision.objects.filter(comment=c).order_by("-id").first()
        data[f"seen_{c.pk}"] = str(latest.pk if latest else 0)
    response = client.post(reverse(CHANGELIST), data)
    assert response.status_code == 302


def review(client: Client, comment: Comment, do: str, **extra: str) -> int:
    latest = Decision.objects.filter(comment=comment).order_by("-id").first()
    data = {
        "do": do,
        "reason": "abusive",
        "days": "1",
        "note": "",
        f"seen_{comment.pk}": str(latest.pk if latest else 0),
        **extra,
    }
    url = reverse("admin:moderation_needsreviewcomment_change", args=[comment.pk])
    return client.post(url, data).status_code


@pytest.mark.django_db
def test_approve_publishes_and_records_who_when_and_the_score(
    moderator: User,
) -> None:
    """Approving writes a moderator decision with from/to status and the score."""
    # given
    comment = held()
    # when
    bulk(login(moderator), "approve_comments", [comment], note="fine")
    # then
    comment.refresh_from_db()
    assert comment.status == CommentStatus.PUBLISHED
    d = Decision.objects.get(comment=comment, source=Decision.Source.MODERATOR)
    assert (d.from_status, d.to_status, d.source) == ("held", "published", "moderator")
    assert d.actor == moderator
    assert d.note == "fine"
    assert d.toxicity == 0.73


@pytest.mark.django_db
def test_reject_records_the_reason_code_the_author_sees(moderator: User) -> None:
    """Bulk reject uses the reason chosen beside the action menu."""
    # given
    comments = [held(), held()]
    # when
    bulk(login(moderator), "reject_comments", comments, reason="spam")
    # then
    rows = Decision.objects.filter(
        comment__in=comments, source=Decision.Source.MODERATOR
    )
    assert [(d.to_status, d.rejection_reason) for d in rows] == [
        ("rejected", "spam"),
        ("rejected", "spam"),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("days", "custom", "expected"), [("7", "", 7), ("custom", "3", 3)]
)
def test_reject_and_suspend_sets_the_suspension(
    moderator: User, days: str, custom: str, expected: int
) -> None:
    """Reject-and-suspend rejects and suspends the author for 1, 7 or N days."""
    # given
    comment = held()
    # when
    bulk(
        login(moderator),
        "reject_and_suspend",
        [comment],
        days=days,
        custom_days=custom,
        reason="abusive",
    )
    # then
    standing = AuthorStanding.objects.get(user=comment.author)
    assert standing.suspended_until is not None
    left = standing.suspended_until - timezone.now()
    assert timedelta(days=expected - 1) < left <= timedelta(days=expected)
    assert Comment.objects.get(pk=comment.pk).status == CommentStatus.REJECTED


@pytest.mark.django_db
def test_ban_rejects_the_comment_and_optionally_the_authors_held_ones(
    moderator: User,
) -> None:
    """Banning rejects every held comment of the author when asked to."""
    # given
    author = make_user()
    first, second = held(author=author), held(author=author)
    published = make_comment(author=author, status=CommentStatus.PUBLISHED)
    # when
    assert review(login(moderator), first, "ban", reject_held="on") == 302
    # then
    assert AuthorStanding.objects.get(user=author).banned
    statuses = dict(Comment.objects.values_list("pk", "status"))
    assert statuses[first.pk] == statuses[second.pk] == CommentStatus.REJECTED
    assert statuses[published.pk] == CommentStatus.PUBLISHED


@pytest.mark.django_db
def test_premoderate_and_feature_keep_an_audit_row(moderator: User) -> None:
    """Pre-moderating the author and featuring a comment each leave a decision."""
    # given
    comment = held()
    client = login(moderator)
    # when
    assert review(client, comment, "premoderate") == 302
    assert review(client, comment, "feature") == 302
    # then
    assert AuthorStanding.objects.get(user=comment.author).premoderated
    assert FeaturedComment.objects.filter(comment=comment).exists()
    notes = list(
        Decision.objects.filter(comment=comment, source=Decision.Source.MODERATOR)
        .order_by("id")
        .values_list("from_status", "to_status", "note")
    )
    assert notes == [
        ("held", "held", "Author pre-moderated."),
        ("held", "published", "Featured."),
    ]


@pytest.mark.django_db
def test_every_decision_can_be_reversed_by_another(moderator: User) -> None:
    """Reject then approve: two rows, the first unchanged."""
    # given
    comment = held()
    client = login(moderator)
    assert review(client, comment, "reject") == 302
    first = Decision.objects.get(comment=comment, source=Decision.Source.MODERATOR)
    # when
    assert review(client, comment, "approve") == 302
    # then
    comment.refresh_from_db()
    assert comment.status == CommentStatus.PUBLISHED
    assert (
        Decision.objects.filter(
            comment=comment, source=Decision.Source.MODERATOR
        ).count()
        == 2
    )
    assert Decision.objects.get(pk=first.pk).to_status == "rejected"


ACTIONS = [
    "approve_comments",
    "reject_comments",
    "reject_and_suspend",
    "ban_authors",
    "premoderate_authors",
    "feature_comments",
]


@pytest.mark.django_db
@pytest.mark.parametrize("action", ACTIONS)
def test_staff_without_the_permission_cannot_run_bulk_actions(
    staff: User, action: str
) -> None:
    """The queue opens for them, but no action runs and nothing is recorded."""
    # given
    comment = held()
    client = login(staff)
    assert client.get(reverse(CHANGELIST)).status_code == 200
    # when
    client.post(
        reverse(CHANGELIST),
        {"action": action, "_selected_action": [comment.pk], "index": "0"},
    )
    # then
    assert not Decision.objects.filter(source=Decision.Source.MODERATOR).exists()
    assert Comment.objects.get(pk=comment.pk).status == CommentStatus.HELD


@pytest.mark.django_db
@pytest.mark.parametrize(
    "do", ["approve", "reject", "suspend", "ban", "premoderate", "feature"]
)
def test_staff_without_the_permission_cannot_decide_on_the_review_page(
    staff: User, do: str
) -> None:
    """The review page shows no buttons to them and refuses their POST."""
    # given
    comment = held()
    client = login(staff)
    url = reverse("admin:moderation_needsreviewcomment_change", args=[comment.pk])
    assert 'name="do"' not in client.get(url).content.decode()
    # when
    status = review(client, comment, do)
    # then
    assert status == 403
    assert not Decision.objects.filter(source=Decision.Source.MODERATOR).exists()


@pytest.mark.django_db
def test_nobody_but_a_superuser_can_edit_text_or_delete(moderator: User) -> None:
    """Moderators have no delete action and no editable comment form."""
    # given
    held()
    client = login(moderator)
    # when
    page = client.get(reverse(CHANGELIST)).content.decode()
    # then
    assert "delete_selected" not in page
    assert 'name="body"' not in page
    superuser = make_user(username="root", is_staff=True, is_superuser=True)
    assert (
        "delete_selected" in login(superuser).get(reverse(CHANGELIST)).content.decode()
    )


@pytest.mark.django_db
def test_second_moderator_is_told_who_decided_first(moderator: User) -> None:
    """Two moderators saw the same held comment; the second one's click is
    refused with 'already decided by NAME at TIME', not applied."""
    # given
    other = make_user(username="mod2", display_name="Second Mod", is_staff=True)
    other.groups.add(Group.objects.get(name="Moderators"))
    comment = held()
    url = reverse("admin:moderation_needsreviewcomment_change", args=[comment.pk])
    first, second = login(moderator), login(other)
    # Both pages showed the pipeline's decision that held it.
    shown = Decision.objects.filter(comment=comment).latest("id").pk
    seen = {"do": "approve", f"seen_{comment.pk}": str(shown)}
    base = {"reason": "abusive", "days": "1"}
    assert first.post(url, {**base, **seen}).status_code == 302
    # when
    response = second.post(url, {**base, **seen, "do": "reject"})
    # then
    assert response.status_code == 409
    assert "already decided by Mo Derator at" in response.content.decode()
    assert Comment.objects.get(pk=comment.pk).status == CommentStatus.PUBLISHED
    assert (
        Decision.objects.filter(
            comment=comment, source=Decision.Source.MODERATOR
        ).count()
        == 1
    )


@pytest.mark.django_db
def test_bulk_action_on_a_comment_decided_meanwhile_is_refused(moderator: User) -> None:
    """The queue page carried what the moderator saw; a newer decision wins."""
    # given
    comment = held()
    actions.comment_reject(comment=comment, moderator=make_user(), reason="spam")
    client = login(moderator)
    # when
    response = client.post(
        reverse(CHANGELIST),
        {
            "action": "approve_comments",
            "_selected_action": [comment.pk],
            "index": "0",
            f"seen_{comment.pk}": "0",
        },
        follow=True,
    )
    # then
    assert "already decided by" in response.content.decode()
    assert Comment.objects.get(pk=comment.pk).status == CommentStatus.REJECTED


@pytest.mark.django_db
def test_service_conflict_names_the_pipeline_when_no_person_decided() -> None:
    """A comment the pipeline changed since it was shown names the pipeline."""
    # given
    comment = held()
    Decision.objects.create(
        comment=comment,
        text_version=1,
        from_status="pending",
        to_status="held",
        source=Decision.Source.PIPELINE,
    )
    # when / then
    with pytest.raises(Conflict, match="already decided by moderation pipeline"):
        actions.comment_approve(
            comment=comment, moderator=make_user(), seen_decision_id=0
        )


@pytest.mark.django_db
def test_resolving_reports_updates_each_reporters_record(moderator: User) -> None:
    """Rejecting upholds the pending reports; approving overrules them."""
    # given
    good, bad = make_user(), make_user()
    upheld_comment = make_comment(status=CommentStatus.PUBLISHED)
    overruled_comment = make_comment(status=CommentStatus.PUBLISHED)
    Report.objects.create(comment=upheld_comment, reporter=good, reason="abusive")
    Report.objects.create(comment=overruled_comment, reporter=bad, reason="spam")
    # when
    actions.comment_reject(
        comment=upheld_comment, moderator=moderator, reason="abusive"
    )
    actions.comment_approve(comment=overruled_comment, moderator=moderator)
    # then
    good_record = ReporterRecord.objects.get(user=good)
    bad_record = ReporterRecord.objects.get(user=bad)
    assert (good_record.upheld, good_record.weight) == (1, pytest.approx(4 / 3))
    assert (bad_record.overruled, bad_record.weight) == (1, pytest.approx(2 / 3))
    assert (
        Decision.objects.get(
            comment=overruled_comment, source=Decision.Source.MODERATOR
        ).to_status
        == "published"
    )


@pytest.mark.django_db
def test_bulk_approve_from_the_queue_is_one_transaction(
    moderator: User, django_assert_max_num_queries: Any
) -> None:
    """Approving a whole page of held comments does not cost queries per comment."""
    # given
    comments = [held() for _ in range(50)]
    client = login(moderator)
    data = {
        "action": "approve_comments",
        "_selected_action": [str(c.pk) for c in comments],
        "index": "0",
    }
    for c in comments:
        latest = Decision.objects.filter(comment=c).order_by("-id").first()
        data[f"seen_{c.pk}"] = str(latest.pk if latest else 0)
    # when
    with django_assert_max_num_queries(45):  # the same for 5 comments
        response = client.post(reverse(CHANGELIST), data)
    # then
    assert response.status_code == 302
    statuses = set(
        Comment.objects.filter(pk__in=[c.pk for c in comments]).values_list(
            "status", flat=True
        )
    )
    assert statuses == {CommentStatus.PUBLISHED}
