"""The ranked queues (Needs review, Reported) are read from their stored rows: the
order and every filter follow each kind of change, through the services a
moderator's or reader's action goes through (on PostgreSQL in `make test`)."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.admin.templatetags import admin_list
from django.db import transaction
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from articles.models import Article, Comment, CommentStatus
from articles.services import comment_edit
from moderation import selectors
from moderation.models import QueuePriority
from moderation.services import actions, priority, reports
from moderation.templatetags.moderation_admin import (
    action_form_fields,
    queue_result_list,
)
from sites.models import ModeratorSites
from tests.factories import (
    make_article,
    make_comment,
    make_held_comment,
    make_site,
    make_user,
)

from .conftest import Post

NEEDS_REVIEW = "admin:moderation_needsreviewcomment_changelist"
REPORTED = "admin:moderation_reportedcomment_changelist"
TOXIC = "You are a stupid idiot and a pathetic moron, shut up."
Run = Callable[..., object]


def listed(client: Client, queue: str, query: str = "") -> list[int]:
    response = client.get(reverse(queue) + query)
    assert response.status_code == 200
    changelist = response.context["cl"]
    ids = [c.pk for c in changelist.result_list]
    # The count (from the stored rows when the filters read them) agrees.
    assert changelist.result_count == len(ids)
    return ids


@pytest.mark.django_db
@pytest.mark.usefixtures("tiny_model")
def test_a_held_comment_is_listed_filtered_and_leaves_with_an_edit(
    post: Post, regular: User, mod_client: Client, article: Article
) -> None:
    """A comment the pipeline holds is listed at once, found by its reason, score
    band and section; edited, it leaves the queue with the edit itself."""
    # given
    comment = post(author=regular, body=TOXIC)
    assert comment.status == CommentStatus.HELD
    toxicity = QueuePriority.objects.get(comment=comment).toxicity
    assert toxicity is not None
    band = next(
        name
        for name, (low, high) in {
            "low": (0.0, 0.25),
            "mid": (0.25, 0.5),
            "high": (0.5, 0.75),
            "very": (0.75, 1.01),
        }.items()
        if low <= toxicity < high
    )
    other_band = "low" if band != "low" else "very"
    # when / then
    assert listed(mod_client, NEEDS_REVIEW) == [comment.pk]
    assert listed(mod_client, NEEDS_REVIEW, "?reason=TOXIC") == [comment.pk]
    assert listed(mod_client, NEEDS_REVIEW, "?reason=LINKS") == []
    assert listed(mod_client, NEEDS_REVIEW, f"?score={band}") == [comment.pk]
    assert listed(mod_client, NEEDS_REVIEW, f"?score={other_band}") == []
    assert listed(mod_client, NEEDS_REVIEW, f"?section={article.section}") == [
        comment.pk
    ]
    assert listed(mod_client, NEEDS_REVIEW, "?section=Sport") == []
    # when: the author edits it (back to pending until scored again)
    with transaction.atomic():
        comment_edit(comment=comment, editor=regular, body="Sorry, I take it back.")
        # then: gone before the commit's hooks run
        assert listed(mod_client, NEEDS_REVIEW) == []
    assert not QueuePriority.objects.filter(comment=comment).exists()


@pytest.mark.django_db
def test_order_follows_reports_rejections_and_sanctions(
    mod_client: Client, moderator: User, django_capture_on_commit_callbacks: Run
) -> None:
    """Two held comments: a report on the second, then a rejection of the first's
    author's other comment and their pre-moderation, each move the order."""
    # given: same toxicity, the first waiting longer
    author = make_user()
    first = make_held_comment(author=author)
    second = make_held_comment()
    Comment.objects.filter(pk=first.pk).update(
        status_changed_at=timezone.now() - timedelta(minutes=5)
    )
    priority.priorities_refresh(comment_ids=[first.pk])
    assert listed(mod_client, NEEDS_REVIEW) == [first.pk, second.pk]
    # when: a published comment of the first's author is rejected (+5 history)
    other = make_comment(author=author, status=CommentStatus.PUBLISHED)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[attr-defined]
        actions.comment_reject(comment=other, moderator=moderator, reason="abusive")
    # then
    rows = {c.pk: c for c in selectors.queue(selectors.Queue.NEEDS_REVIEW)}
    assert rows[first.pk].p_history == 5  # type: ignore[attr-defined]
    assert rows[first.pk].author_rejected == 1  # type: ignore[attr-defined]
    assert listed(mod_client, NEEDS_REVIEW) == [first.pk, second.pk]
    # when: the second's author is pre-moderated (+5 as well) and its toxicity
    # rises (re-scored): it overtakes
    actions.author_premoderate(comment=second, moderator=moderator)
    second.pipeline_result.toxicity = 0.9
    second.pipeline_result.save()
    priority.priorities_refresh(comment_ids=[second.pk])  # as the scoring service
    # then
    assert listed(mod_client, NEEDS_REVIEW) == [second.pk, first.pk]
    assert listed(mod_client, NEEDS_REVIEW, "?score=very") == [second.pk]
    # when: the first is approved
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[attr-defined]
        actions.comment_approve(comment=first, moderator=moderator)
    # then
    assert listed(mod_client, NEEDS_REVIEW) == [second.pk]
    assert listed(mod_client, NEEDS_REVIEW, "?reason=TOXIC") == [second.pk]


@pytest.mark.django_db
def test_reported_queue_follows_reports_filed_and_resolved(
    mod_client: Client, moderator: User, django_capture_on_commit_callbacks: Run
) -> None:
    """A report puts a published comment in Reported, the heavier-reported one
    first and found by the "reported" reason; resolving its reports takes it out."""
    # given
    light = make_comment(status=CommentStatus.PUBLISHED)
    heavy = make_comment(status=CommentStatus.PUBLISHED)
    assert listed(mod_client, REPORTED) == []
    # when
    reports.comment_report(comment=light, reporter=make_user(), reason="spam")
    for _ in range(2):
        reports.comment_report(comment=heavy, reporter=make_user(), reason="abusive")
    # then
    assert listed(mod_client, REPORTED) == [heavy.pk, light.pk]
    assert listed(mod_client, REPORTED, "?reason=REPORTED") == [heavy.pk, light.pk]
    assert listed(mod_client, NEEDS_REVIEW) == []
    # when: the heavy one's reports are overruled
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[attr-defined]
        reports.reports_resolve(comment=heavy, moderator=moderator, upheld=False)
    # then
    assert listed(mod_client, REPORTED) == [light.pk]


@pytest.mark.django_db
def test_waiting_points_step_up_on_schedule(mod_client: Client) -> None:
    """A comment waiting five hours gains 7 points when the minutely job runs, and
    overtakes a more toxic newcomer."""
    # given
    waiting = make_held_comment()
    newcomer = make_held_comment()
    newcomer.pipeline_result.toxicity = 0.9
    newcomer.pipeline_result.save()
    Comment.objects.filter(pk=waiting.pk).update(
        status_changed_at=timezone.now() - timedelta(hours=5)
    )
    priority.priorities_refresh(comment_ids=[newcomer.pk])
    QueuePriority.objects.filter(comment=waiting).update(
        waiting_since=timezone.now() - timedelta(hours=5)
    )
    assert listed(mod_client, NEEDS_REVIEW) == [newcomer.pk, waiting.pk]
    # when
    moved = priority.priorities_wait()
    # then: 0.73·40 + 7 > 0.9·40
    assert moved == 1
    assert listed(mod_client, NEEDS_REVIEW) == [waiting.pk, newcomer.pk]
    row = selectors.queue(selectors.Queue.NEEDS_REVIEW).get(pk=waiting.pk)
    assert row.p_waiting == 7  # type: ignore[attr-defined]
    assert priority.priorities_wait() == 0


@pytest.mark.django_db
def test_repair_ranks_missing_rows_and_drops_rows_left_behind(
    mod_client: Client,
) -> None:
    """Rows lost (a failed hook) or left behind (a status written around the
    transitions) are put right by the periodic repair."""
    # given
    lost = make_held_comment()
    stale = make_held_comment()
    QueuePriority.objects.filter(comment=lost).delete()
    Comment.objects.filter(pk=stale.pk).update(status=CommentStatus.PUBLISHED)
    # when
    repaired = priority.priorities_repair()
    # then
    assert repaired == 2
    assert listed(mod_client, NEEDS_REVIEW) == [lost.pk]
    assert not QueuePriority.objects.filter(comment=stale).exists()


@pytest.mark.django_db
def test_site_scoped_moderator_and_story_filter_read_the_stored_rows(
    moderator: User,
) -> None:
    """The story filter lists the stories with most comments waiting, and a
    moderator of one site sees and counts only that site's queue."""
    # given
    ours = make_site(name="Ours", slug="ours")
    theirs = make_site(name="Theirs", slug="theirs")
    busy = make_article(site=ours, title="Busy story")
    quiet = make_article(site=theirs, title="Quiet story")
    mine = [make_held_comment(article=busy) for _ in range(2)]
    make_held_comment(article=quiet)
    client = Client()
    client.force_login(moderator)
    # when
    page = client.get(reverse(NEEDS_REVIEW)).content.decode()
    # then
    assert page.index("Busy story (2)") < page.index("Quiet story (1)")
    assert len(listed(client, NEEDS_REVIEW, f"?article__id__exact={busy.pk}")) == 2
    # when: the moderator is limited to one site
    ModeratorSites.objects.create(user=moderator).sites.add(ours)
    response = client.get(reverse(NEEDS_REVIEW))
    # then
    assert sorted(c.pk for c in response.context["cl"].result_list) == sorted(
        c.pk for c in mine
    )
    assert response.context["cl"].result_count == 2
    assert "Quiet story" not in response.content.decode()


@pytest.mark.django_db
def test_the_queue_table_has_the_admins_own_markup(mod_client: Client) -> None:
    """The queue's rows, built in one pass, are the admin's own rows cell for cell
    (checkbox, columns, escaping)."""
    # given
    make_held_comment(body="<script>alert(1)</script> & more")
    make_held_comment()
    reports.comment_report(
        comment=make_comment(status=CommentStatus.PUBLISHED),
        reporter=make_user(),
        reason="spam",
    )
    for queue in (NEEDS_REVIEW, REPORTED):
        changelist = mod_client.get(reverse(queue)).context["cl"]
        # when
        ours = queue_result_list(changelist)["results"]
        admins: Any = admin_list.result_list(changelist)["results"]
        # then
        assert ["".join(row) for row in ours] == ["".join(row) for row in admins]
        assert "<script>" not in "".join("".join(row) for row in ours)


# The admin's own actions.html "actions-form" block, which action_form_fields
# replaces.
ADMINS_ACTION_FIELDS = Template(
    "{% for field in action_form %}{% if field.label %}<label>{{ field.label }} "
    "{{ field }}</label>{% else %}{{ field }}{% endif %}{% endfor %}"
)


@pytest.mark.django_db
def test_the_bulk_bar_has_the_admins_own_markup_for_each_moderator(
    mod_client: Client,
) -> None:
    """The bulk bar's fields, rendered once and reused, are the admin's own, and
    each moderator sees the actions they may take (a superuser may also delete)."""
    # given
    make_held_comment()
    superuser = make_user(username="root", is_staff=True, is_superuser=True)
    root_client = Client()
    root_client.force_login(superuser)
    for client, deletes in (
        (mod_client, False),
        (root_client, True),
        (mod_client, False),
    ):
        # when
        response = client.get(reverse(NEEDS_REVIEW))
        form = response.context["action_form"]
        # then
        ours = action_form_fields(form)
        assert ours == ADMINS_ACTION_FIELDS.render(Context({"action_form": form}))
        assert ours in response.content.decode()
        assert ('value="delete_selected"' in ours) is deletes
        assert 'name="reason"' in ours
