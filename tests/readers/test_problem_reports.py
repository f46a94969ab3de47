import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import User
from articles.models import Article, CommentStatus
from config.middleware import LAST_ERROR_COOKIE
from readers import services
from readers.models import EmailDelivery, Notification, ProblemReport
from tests.factories import make_comment, make_user

REPORT = "/help/report/"


def _form(**overrides: str) -> dict[str, str]:
    data = {
        "kind": ProblemReport.Kind.DISAPPEARED,
        "description": "My comment vanished after I posted it.",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_story_page_links_to_the_problem_report_form(
    client: Client, article: Article
) -> None:
    """Every comment section ends with the help link, carrying the story."""
    # when
    page = client.get(article.get_absolute_url()).content.decode()
    # then
    assert "Having trouble with comments? Tell us" in page
    assert f"{REPORT}?story={article.slug}" in page


@pytest.mark.django_db
def test_signed_in_report_attaches_story_agent_comments_and_last_error(
    reader_client: Client, reader: User, article: Article
) -> None:
    """A report carries the story, user agent, reader, their latest comments on the
    story with statuses, and the reference of the last error page they saw."""
    # given
    held = make_comment(article=article, author=reader, status=CommentStatus.HELD)
    make_comment(author=reader)  # on another story: not attached
    reader_client.cookies[LAST_ERROR_COOKIE] = "0badc0de"
    # when
    response = reader_client.post(
        REPORT, _form(article=article.slug), HTTP_USER_AGENT="TestBrowser/1.0"
    )
    # then
    assert response.status_code == 302
    report = ProblemReport.objects.get()
    assert report.reporter == reader
    assert report.article == article
    assert report.user_agent == "TestBrowser/1.0"
    assert report.error_reference == "0badc0de"
    assert report.recent_comments == [
        {"id": held.pk, "status": "held", "created_at": held.created_at.isoformat()}
    ]
    assert report.status == ProblemReport.Status.NEW
    assert len(report.ip_hash) == 64
    assert "127.0.0.1" not in report.ip_hash


@pytest.mark.django_db
def test_signed_out_reader_must_give_an_email_address(client: Client) -> None:
    """Without an account there is no way to reply, so the email is required."""
    # when
    response = client.post(REPORT, _form())
    # then
    assert response.status_code == 400
    assert "Please give an email address" in response.content.decode()
    assert not ProblemReport.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": ""}, "Please choose what went wrong."),
        ({"kind": "hacked"}, "Please choose one of the listed problems."),
        ({"description": "   "}, "Please write the description."),
        ({"description": "x" * 5001}, "please keep it under 5000"),
        ({"email": "not-an-address"}, "Please enter a valid email address."),
    ],
)
def test_bad_input_on_the_report_form_is_refused_with_a_message(
    client: Client, data: dict[str, str], message: str
) -> None:
    """Every bad field is answered 400 with a message saying what to fix."""
    # when
    response = client.post(REPORT, {**_form(email="r@example.org"), **data})
    # then
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ProblemReport.objects.exists()


@pytest.mark.django_db
def test_honeypot_pretends_success_and_stores_nothing(client: Client) -> None:
    """A filled hidden field marks a bot: it is thanked and nothing is kept."""
    # when
    response = client.post(
        REPORT, _form(email="bot@example.org", website="http://spam.example")
    )
    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("readers:report_thanks")
    assert not ProblemReport.objects.exists()


@pytest.mark.django_db
def test_problem_reports_are_rate_limited(client: Client, settings: object) -> None:
    """The sixth report within the hour from one address is refused with 429."""
    # given
    for _ in range(5):
        assert client.post(REPORT, _form(email="r@example.org")).status_code == 302
    # when
    response = client.post(REPORT, _form(email="r@example.org"))
    # then
    assert response.status_code == 429
    assert ProblemReport.objects.count() == 5


@pytest.mark.django_db
def test_api_report_is_accepted_with_the_same_context(
    api: APIClient, reader: User, article: Article
) -> None:
    """The API takes a report like the form and attaches the same context."""
    # given
    make_comment(article=article, author=reader, status=CommentStatus.REJECTED)
    # when
    response = api.post(
        "/api/v1/help/reports/",
        {
            "kind": "cannot_post",
            "description": "The button does nothing.",
            "story": article.slug,
            "error_reference": "1234abcd",
        },
        format="json",
        HTTP_USER_AGENT="App/2",
    )
    # then
    assert response.status_code == 201
    report = ProblemReport.objects.get(pk=response.json()["id"])
    assert report.error_reference == "1234abcd"
    assert report.recent_comments[0]["status"] == "rejected"
    assert report.user_agent == "App/2"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "code", "message"),
    [
        ({"description": "x"}, "invalid", 'Say what went wrong in "kind".'),
        ({"kind": "nope", "description": "x"}, "invalid", "is not a known problem"),
        ({"kind": "other"}, "invalid", 'Describe the problem in "description".'),
        ({"kind": "other", "description": " "}, "missing_description", "Please write"),
        ({"kind": "other", "description": "x", "email": "bad"}, "invalid", "valid"),
        (
            {"kind": "other", "description": "x", "story": "no-such"},
            "article_not_found",
            "There is no story",
        ),
        (
            {"kind": "other", "description": "x", "error_reference": "zz"},
            "invalid",
            "8 hexadecimal",
        ),
        ({"kind": "other", "description": ["x"]}, "invalid", "must be text"),
    ],
)
def test_api_report_bad_input_gets_one_error_shape(
    api: APIClient,
    article: Article,
    payload: dict[str, object],
    code: str,
    message: str,
) -> None:
    """Bad API input is a 400 with a code, a message and a reference id."""
    # when
    response = api.post("/api/v1/help/reports/", payload, format="json")
    # then
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == code
    assert message in error["message"]
    assert len(error["reference"]) == 8


@pytest.mark.django_db
def test_api_report_signed_out_needs_email_and_honeypot_stores_nothing() -> None:
    """Anonymous API reports need an email; the honeypot is answered 201, unsaved."""
    client = APIClient()
    # when
    missing = client.post(
        "/api/v1/help/reports/", {"kind": "other", "description": "x"}, format="json"
    )
    bot = client.post(
        "/api/v1/help/reports/",
        {
            "kind": "other",
            "description": "x",
            "email": "b@example.org",
            "website": "spam",
        },
        format="json",
    )
    # then
    assert missing.status_code == 400
    assert missing.json()["error"]["code"] == "missing_email"
    assert bot.status_code == 201
    assert not ProblemReport.objects.exists()


@pytest.mark.django_db
def test_api_reports_are_throttled(settings: object) -> None:
    """Reports through the API are throttled per address too."""
    client = APIClient()
    payload = {"kind": "other", "description": "x", "email": "r@example.org"}
    codes = [
        client.post("/api/v1/help/reports/", payload, format="json").status_code
        for _ in range(6)
    ]
    assert codes == [201] * 5 + [429]


@pytest.mark.django_db
def test_staff_reply_is_emailed_by_a_task_and_logged(
    on_commit: object, moderator: User
) -> None:
    """Replying emails the reader after commit and records the delivery as sent."""
    # given
    report = services.problem_report_create(
        kind="other", description="Help", reporter=None, email="r@example.org"
    )
    # when
    with on_commit():  # type: ignore[operator]
        services.problem_report_reply(
            report=report, staff=moderator, reply="Fixed, thanks."
        )
    # then
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["r@example.org"]
    assert "Fixed, thanks." in mail.outbox[0].body
    delivery = EmailDelivery.objects.get()
    assert delivery.status == EmailDelivery.Status.SENT
    assert delivery.attempts == 1
    report.refresh_from_db()
    assert report.status == ProblemReport.Status.INVESTIGATING


@pytest.mark.django_db
def test_reply_without_text_is_refused(moderator: User) -> None:
    """A reply action with nothing written says so instead of sending a blank email."""
    report = services.problem_report_create(
        kind="other", description="Help", reporter=None, email="r@example.org"
    )
    with pytest.raises(services.InvalidInput, match="no reply written"):
        services.problem_report_reply(report=report, staff=moderator)


@pytest.mark.django_db
def test_resolving_a_report_notifies_the_signed_in_reporter(
    reader: User, moderator: User
) -> None:
    """Resolving (or won't-fixing) a report tells its signed-in reporter once."""
    # given
    report = services.problem_report_create(
        kind="cannot_post", description="Help", reporter=reader
    )
    # when
    services.problem_report_set_status(
        report=report, status=ProblemReport.Status.RESOLVED, staff=moderator
    )
    services.problem_report_set_status(
        report=report, status=ProblemReport.Status.RESOLVED, staff=moderator
    )
    # then
    notes = Notification.objects.filter(recipient=reader)
    assert notes.count() == 1
    assert "has been resolved" in notes.get().message


@pytest.mark.django_db
def test_admin_triage_links_a_disappeared_comment_to_its_decision_history(
    reader: User, article: Article
) -> None:
    """From a "disappeared" report, one click opens that comment's decisions."""
    # given
    admin = make_user(username="root", is_staff=True, is_superuser=True)
    comment = make_comment(article=article, author=reader, status="rejected")
    from moderation.models import Decision

    Decision.objects.create(
        comment=comment,
        text_version=1,
        from_status="held",
        to_status="rejected",
        source="moderator",
        actor=admin,
        rejection_reason="spam",
        note="link farm",
    )
    report = services.problem_report_create(
        kind="disappeared", description="Gone", reporter=reader, article=article
    )
    client = Client()
    client.force_login(admin)
    # when
    change = client.get(
        reverse("admin:readers_problemreport_change", args=(report.pk,))
    ).content.decode()
    history_url = reverse(
        "admin:readers_problemreport_comment_history", args=(comment.pk,)
    )
    history = client.get(history_url).content.decode()
    # then
    assert history_url in change
    assert "Spam or advertising" in history
    assert "link farm" in history
