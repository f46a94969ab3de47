"""comments:suggestscore: clients' labels become feedback rows."""

import json

import pytest

from perspective.models import ApiKey, Feedback, KeyUsage

from .conftest import SUGGEST, Call


def coral_feedback(status: str, text: str) -> dict[str, object]:
    """The body Coral Talk sends for a moderator's decision on a comment."""
    return {
        "comment": {"text": text},
        "context": {
            "entries": [
                {
                    "text": json.dumps(
                        {
                            "url": "https://news.example/story?commentID=c-81",
                            "reply_to_id_Coral_comment_id": None,
                            "Coral_comment_id": "c-81",
                        }
                    )
                }
            ]
        },
        "attributeScores": {status: {"summaryScore": {"value": 1}}},
        "languages": ["EN"],
        "communityId": "Coral:https://news.example/",
        "clientToken": "comment:c-81",
    }


@pytest.mark.django_db
@pytest.mark.parametrize(("status", "label"), [("APPROVED", 0), ("DELETED", 1)])
def test_coral_talk_decision_is_stored_with_its_label(
    call: Call, storing_key: tuple[ApiKey, str], status: str, label: int
) -> None:
    # when
    response = call(
        SUGGEST,
        coral_feedback(status, "Go back to school, you muppet"),
        api_key=storing_key[1],
    )
    # then
    assert response.status_code == 200
    assert response.json()["clientToken"] == "comment:c-81"
    row = Feedback.objects.get()
    assert (row.attribute, row.value, row.label) == (status, 1.0, label)
    assert row.text == "Go back to school, you muppet"
    assert row.community_id == "Coral:https://news.example/"
    assert row.client_token == "comment:c-81"
    assert row.languages == "en"
    assert KeyUsage.objects.get().suggest == 1


@pytest.mark.django_db
def test_key_that_may_not_store_text_keeps_only_the_scores(call: Call) -> None:
    # when
    response = call(SUGGEST, coral_feedback("DELETED", "Zebulon is a muppet"))
    # then
    assert response.status_code == 200
    row = Feedback.objects.get()
    assert (row.text, row.text_stored, row.label) == ("", False, 1)
    assert not Feedback.objects.filter(text__contains="Zebulon").exists()


@pytest.mark.django_db
def test_perspective_attribute_scores_are_labels(
    call: Call, storing_key: tuple[ApiKey, str]
) -> None:
    # when
    response = call(
        SUGGEST,
        {
            "comment": {"text": "<p>you <i>absolute</i> clown</p>", "type": "HTML"},
            "attributeScores": {
                "TOXICITY": {"summaryScore": {"value": 0.9}},
                "INSULT_EXPERIMENTAL": {"summaryScore": {"value": 0.2}},
            },
            "communityId": "forum-7",
        },
        api_key=storing_key[1],
    )
    # then
    assert response.status_code == 200
    assert "clientToken" not in response.json()
    labels = dict(Feedback.objects.values_list("attribute", "label"))
    assert labels == {"TOXICITY": 1, "INSULT_EXPERIMENTAL": 0}
    assert Feedback.objects.first().text == "you absolute clown"  # type: ignore[union-attr]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "scores",
    [
        {},
        {"TOXICITY": {}},
        {"TOXICITY": {"summaryScore": {"value": 1.5}}},
        {"TOXICITY": {"summaryScore": {"value": "high"}}},
        {"not a name!": {"summaryScore": {"value": 1}}},
    ],
)
def test_bad_suggestions_are_refused_and_nothing_is_stored(
    call: Call, scores: dict[str, object]
) -> None:
    # when
    response = call(SUGGEST, {"comment": {"text": "hi"}, "attributeScores": scores})
    # then
    assert response.status_code == 400
    assert response.json()["error"]["status"] == "INVALID_ARGUMENT"
    assert Feedback.objects.count() == 0


@pytest.mark.django_db
def test_nul_characters_are_stored_without_an_error(
    call: Call, storing_key: tuple[ApiKey, str]
) -> None:
    """PostgreSQL text cannot hold NUL: it is kept as U+FFFD, not a 500."""
    # when
    response = call(
        SUGGEST,
        {
            "comment": {"text": "you\u0000 muppet"},
            "attributeScores": {"TOXICITY": {"summaryScore": {"value": 1}}},
            "clientToken": "c\u00001",
        },
        api_key=storing_key[1],
    )
    # then
    assert response.status_code == 200
    row = Feedback.objects.get()
    assert (row.text, row.client_token) == ("you\ufffd muppet", "c\ufffd1")
