import pytest
from rest_framework.test import APIClient

from accounts.models import User
from articles.models import Article, CommentStatus
from readers import selectors, services
from tests.factories import make_comment, make_user

PASSWORD = "correct horse battery staple"
DATA_URL = "/api/v1/me/data/"
DELETE_URL = "/api/v1/me/delete/"


def _api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.django_db
def test_api_data_export_is_the_same_as_the_download(
    reader: User, article: Article
) -> None:
    """GET /api/v1/me/data/ returns what the "Download my data" file holds."""
    # given
    make_comment(article=article, author=reader, body="Mine, first version.")
    services.problem_report_create(kind="other", description="Help", reporter=reader)
    # when
    response = _api(reader).get(DATA_URL)
    # then
    assert response.status_code == 200
    data = response.json()
    assert data["profile"]["email"] == reader.email
    assert data["comments"][0]["revisions"][0]["body"] == "Mine, first version."
    assert data["problem_reports"][0]["description"] == "Help"
    assert set(data) == set(selectors.personal_data(user=reader))


@pytest.mark.django_db
def test_api_delete_keeps_comments_as_deleted_reader(
    reader: User, article: Article
) -> None:
    """Deleting with "keep" anonymises the account and leaves the comments."""
    # given
    comment = make_comment(article=article, author=reader, body="My view.")
    # when
    response = _api(reader).post(
        DELETE_URL, {"comments": "keep", "password": PASSWORD}, format="json"
    )
    # then
    assert response.status_code == 200
    assert response.json() == {"deleted": True, "comments": "keep"}
    reader.refresh_from_db()
    comment.refresh_from_db()
    assert not reader.is_active
    assert reader.email == ""
    assert reader.public_name == "deleted reader"
    assert comment.status != CommentStatus.WITHDRAWN


@pytest.mark.django_db
def test_api_delete_can_withdraw_comments(reader: User, article: Article) -> None:
    """Deleting with "withdraw" withdraws the reader's comments."""
    # given
    comment = make_comment(article=article, author=reader, body="Withdraw me.")
    # when
    response = _api(reader).post(
        DELETE_URL, {"comments": "withdraw", "password": PASSWORD}, format="json"
    )
    # then
    assert response.status_code == 200
    comment.refresh_from_db()
    assert comment.status == CommentStatus.WITHDRAWN


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "code", "message"),
    [
        (
            {"comments": "keep", "password": "wrong"},
            "wrong_password",
            "That password is not right.",
        ),
        ({"comments": "keep", "password": ""}, "wrong_password", "not right"),
        ({"comments": "keep"}, "wrong_password", "not right"),
        ({"password": PASSWORD}, "invalid", "Choose what should happen"),
        ({"comments": "burn", "password": PASSWORD}, "invalid", '"burn" is not'),
        ({"comments": None, "password": PASSWORD}, "invalid", "Choose what"),
    ],
)
def test_api_delete_bad_input_is_refused(
    reader: User, data: dict[str, object], code: str, message: str
) -> None:
    """A wrong password or a bad choice answers 400, says why, deletes nothing."""
    # when
    response = _api(reader).post(DELETE_URL, data, format="json")
    # then
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == code
    assert message in error["message"]
    reader.refresh_from_db()
    assert reader.is_active


@pytest.mark.django_db
def test_api_delete_of_a_staff_account_is_refused() -> None:
    """Staff accounts are deleted by an administrator, not through the API."""
    # given
    staff = make_user(username="sam", display_name="Sam", is_staff=True)
    # when
    response = _api(staff).post(
        DELETE_URL, {"comments": "keep", "password": PASSWORD}, format="json"
    )
    # then
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "staff_account"
    staff.refresh_from_db()
    assert staff.is_active


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "url"), [("get", DATA_URL), ("post", DELETE_URL)])
def test_api_privacy_needs_a_signed_in_reader(method: str, url: str) -> None:
    """Anonymous requests are refused in the API's error shape."""
    # when
    response = getattr(APIClient(), method)(url, {}, format="json")
    # then
    assert response.status_code in (401, 403)
    assert response.json()["error"]["code"] == "not_authenticated"
