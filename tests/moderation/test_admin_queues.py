"""The queue pages, the review page and the dashboard, as moderators use them."""

import html
import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Comment, CommentStatus
from moderation.models import CommentScore, PipelineResult, Report, ReporterRecord
from moderation.services.priority import priorities_refresh
from tests.factories import make_article, make_comment, make_user

QUEUE = "admin:moderation_needsreviewcomment_changelist"


def held(body: str = "a held comment", toxicity: float = 0.6, **kw: object) -> Comment:
    comment = make_comment(status=CommentStatus.HELD, body=body, **kw)
    PipelineResult.objects.create(
        comment=comment,
        text_version=1,
        outcome="hold",
        reasons=[{"code": "TOXIC", "phase": "classifier", "detail": "x"}],
        toxicity=toxicity,
        model_version="m1",
    )
    CommentScore.objects.create(
        comment=comment,
        model_version="m1",
        text_version=1,
        toxicity=toxicity,
        explanation=[{"start": 0, "end": 1, "weight": 0.5, "text": body[:1]}],
    )
    # Rows written around the scoring service: store the priority as it would.
    priorities_refresh(comment_ids=[comment.pk])
    return comment


@pytest.mark.django_db
def test_moderators_group_is_created_by_a_migration_without_edit_or_delete() -> None:
    """Moderators may decide and sanction but not edit comment text or delete."""
    # given
    group = Group.objects.get(name="Moderators")
    # when
    codenames = set(group.permissions.values_list("codename", flat=True))
    # then
    assert {"decide_comment", "sanction_author", "view_needsreviewcomment"} <= codenames
    assert not any(c.startswith(("delete_", "change_comment")) for c in codenames)
    assert "manage_models" not in codenames


@pytest.mark.django_db
def test_needs_review_orders_by_priority_and_shows_its_parts(
    mod_client: Client,
) -> None:
    """A more toxic comment, and a reported one, come before a mild one."""
    # given
    mild = held(body="mildly rude", toxicity=0.5)
    toxic = held(body="very rude", toxicity=0.95)
    # when
    response = mod_client.get(reverse(QUEUE))
    # then
    assert response.status_code == 200
    ids = [c.pk for c in response.context["cl"].result_list]
    assert ids == [toxic.pk, mild.pk]
    page = response.content.decode()
    assert "toxicity 38" in page
    assert "<mark" in page


@pytest.mark.django_db
def test_reports_from_reliable_readers_weigh_more_in_the_priority(
    mod_client: Client,
) -> None:
    """Two comments with one report each: the reliable reporter's goes first."""
    # given
    reliable, unreliable = make_user(), make_user()
    ReporterRecord.objects.create(user=reliable, upheld=8, overruled=0, weight=1.8)
    ReporterRecord.objects.create(user=unreliable, upheld=0, overruled=8, weight=0.2)
    first = make_comment(status=CommentStatus.PUBLISHED)
    second = make_comment(status=CommentStatus.PUBLISHED)
    Report.objects.create(comment=first, reporter=unreliable, reason="abusive")
    Report.objects.create(comment=second, reporter=reliable, reason="abusive")
    priorities_refresh(comment_ids=[first.pk, second.pk])
    # when
    response = mod_client.get(reverse("admin:moderation_reportedcomment_changelist"))
    # then
    rows = list(response.context["cl"].result_list)
    assert [c.pk for c in rows] == [second.pk, first.pk]
    assert rows[0].p_reports == pytest.approx(18.0)
    assert rows[1].p_reports == pytest.approx(2.0)


@pytest.mark.django_db
def test_a_queue_page_of_100_items_costs_a_constant_number_of_queries(
    mod_client: Client,
) -> None:
    """The page of 100 held comments uses as many queries as a page of 5."""

    # given
    def page_queries() -> int:
        cache.clear()  # the story filter's list is kept for a minute
        with CaptureQueriesContext(connection) as ctx:
            response = mod_client.get(reverse(QUEUE))
        assert response.status_code == 200
        return len(ctx.captured_queries)

    article = make_article()
    reporter = make_user()
    for i in range(5):
        c = held(body=f"comment {i}", article=article)
        Report.objects.create(comment=c, reporter=reporter, reason="spam")
    small = page_queries()
    for i in range(95):
        c = held(body=f"more {i}", article=make_article(), author=make_user())
        Report.objects.create(comment=c, reporter=reporter, reason="spam")
    # when
    large = page_queries()
    # then
    assert Comment.objects.filter(status=CommentStatus.HELD).count() == 100
    assert large == small


@pytest.mark.django_db
def test_every_queue_page_opens_and_filters(mod_client: Client) -> None:
    """Each queue lists its comments and accepts story, section, reason, score,
    date and text filters."""
    # given
    comment = held(body="findable words", toxicity=0.8)
    models = [
        "needsreviewcomment",
        "reportedcomment",
        "pendingcomment",
        "approvedcomment",
        "rejectedcomment",
        "allcomment",
    ]
    query = (
        f"?article__id__exact={comment.article_id}&section=News&reason=TOXIC"
        "&score=very&q=findable"
    )
    for model in models:
        # when
        response = mod_client.get(
            reverse(f"admin:moderation_{model}_changelist") + query
        )
        # then
        assert response.status_code == 200, model
    found = mod_client.get(reverse(QUEUE) + query).context["cl"].result_list
    assert [c.pk for c in found] == [comment.pk]


@pytest.mark.django_db
def test_review_page_shows_the_context_needed_to_decide(mod_client: Client) -> None:
    """Highlighted phrases, reasons, score, parent, story, author record and
    reports with their notes are on the review page, all escaped."""
    # given
    parent = make_comment(body="The parent comment", status=CommentStatus.PUBLISHED)
    author = make_user(display_name="Writer")
    author.date_joined = timezone.now() - timedelta(days=40)
    author.save()
    make_comment(author=author, status=CommentStatus.REJECTED)
    comment = held(
        body="<b>idiot</b> you", parent=parent, article=parent.article, author=author
    )
    CommentScore.objects.filter(comment=comment).update(
        explanation=[{"start": 3, "end": 8, "weight": 0.7, "text": "idiot"}]
    )
    Report.objects.create(
        comment=comment, reporter=make_user(), reason="abusive", note="see 2nd line"
    )
    # when
    response = mod_client.get(
        reverse("admin:moderation_needsreviewcomment_change", args=[comment.pk])
    )
    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert '&lt;b&gt;<mark title="weight 0.70">idiot</mark>&lt;/b&gt; you' in page
    assert "TOXIC" in page
    assert "0.60" in page
    assert "The parent comment" in page
    assert parent.article.title in page
    assert "1 rejected" in page
    assert "40 days" in page
    assert "see 2nd line" in page
    assert f"?author={author.pk}" in page


@pytest.mark.django_db
def test_admin_index_shows_queue_counts_and_the_dashboard(
    mod_client: Client,
) -> None:
    """The index lists each queue's size and oldest age, and the dashboard."""
    # given
    held(body="waiting")
    make_comment(status=CommentStatus.PENDING)
    # when
    response = mod_client.get(reverse("admin:index"))
    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="moderation-dashboard"' in page
    assert "Needs review" in page
    assert "Median time from post" in page
    assert "Burst holds" in page
    assert "Reported backlog" in page


@pytest.mark.django_db
def test_a_queue_counts_its_comments_in_words(mod_client: Client) -> None:
    """The footer and the "select all" link name what they count, not the queue's
    numbered menu name ("2 1. Needs review")."""
    # given
    held("the first held comment")
    held("the second held comment")
    # when
    response = mod_client.get(reverse("admin:moderation_needsreviewcomment_changelist"))
    # then
    page = response.content.decode()
    assert "2 comments needing review" in page
    assert "2 1. Needs review" not in page
    # ("Select all N …" shows when the queue has more than one page)
    assert response.context["module_name"] == "comments needing review"


def _breadcrumbs(page: str) -> list[str]:
    """The breadcrumb trail as a moderator reads it: each crumb's text."""
    trail = re.search(r'<div class="breadcrumbs">(.*?)</div>', page, re.S)
    assert trail is not None
    text = html.unescape(re.sub(r"<[^>]+>", "", trail.group(1)))
    return [
        " ".join(c.split())
        for c in text.split("\N{SINGLE RIGHT-POINTING ANGLE QUOTATION MARK}")
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "name"),
    [
        ("needsreviewcomment", "Needs review"),
        ("reportedcomment", "Reported"),
        ("pendingcomment", "Pending (not yet scored)"),
        ("approvedcomment", "Approved"),
        ("rejectedcomment", "Rejected"),
        ("allcomment", "All comments"),
    ],
)
def test_a_queue_breadcrumb_names_the_queue_without_its_menu_number(
    mod_client: Client, model: str, name: str
) -> None:
    """The breadcrumb of a queue and of its review page read "Needs review", not
    the admin index's ordering number ("1. Needs review")."""
    # given
    comment = held("a held comment")
    # when
    queue = mod_client.get(reverse(f"admin:moderation_{model}_changelist"))
    review = mod_client.get(
        reverse(f"admin:moderation_{model}_change", args=[comment.pk])
    )
    # then
    assert _breadcrumbs(queue.content.decode()) == ["Home", "Moderation", name]
    assert _breadcrumbs(review.content.decode()) == ["Home", name, f"#{comment.pk}"]
    assert f"<h1>{name}</h1>" in queue.content.decode()


@pytest.mark.django_db
def test_a_superusers_delete_pages_name_the_queue_without_its_menu_number() -> None:
    """Deleting from a queue (superusers only) keeps the queue's plain name in the
    breadcrumb: the bulk delete's confirmation, the delete page and the history."""
    # given
    admin_user = make_user(username="root", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin_user)
    comment = held("a held comment")
    # when
    bulk = client.post(
        reverse("admin:moderation_needsreviewcomment_changelist"),
        {"action": "delete_selected", "_selected_action": [comment.pk]},
    )
    single = client.get(
        reverse("admin:moderation_needsreviewcomment_delete", args=[comment.pk])
    )
    history = client.get(
        reverse("admin:moderation_needsreviewcomment_history", args=[comment.pk])
    )
    # then
    for response in (bulk, single, history):
        assert response.status_code == 200
        assert _breadcrumbs(response.content.decode())[2] == "Needs review"
    assert Comment.objects.filter(pk=comment.pk).exists()


@pytest.mark.django_db
def test_a_queue_lists_reasons_as_units_that_keep_their_comma(
    mod_client: Client,
) -> None:
    """The Reasons column wraps between reasons: each reason and the comma after
    it are one unit the line never breaks inside, so no line starts with a comma."""
    # given
    comment = held("a held comment")
    PipelineResult.objects.filter(comment=comment).update(
        reasons=[
            {"code": code, "phase": "rules", "detail": ""}
            for code in ("SUSPECT_WORD", "TOXIC", "LINKS")
        ]
    )
    # when
    response = mod_client.get(reverse(QUEUE))
    # then
    cell = re.search(
        r'<td class="field-reasons_column">(.*?)</td>', response.content.decode()
    )
    assert cell is not None
    assert cell.group(1) == (
        '<span class="reason"><span class="reason-code">SUSPECT_WORD</span>,</span> '
        '<span class="reason"><span class="reason-code">TOXIC</span>,</span> '
        '<span class="reason"><span class="reason-code">LINKS</span></span>'
    )
