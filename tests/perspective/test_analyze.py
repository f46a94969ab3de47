"""comments:analyze with the exact bodies real Perspective clients send."""

import json
import re

import pytest
from django.test import Client

from perspective import scoring
from perspective.models import Feedback, KeyUsage
from perspective.requests import ATTRIBUTES

from .conftest import ANALYZE, Call


def served() -> tuple[str, ...]:
    return scoring.attribute_names(scoring.current_model())


@pytest.mark.django_db
def test_coral_talk_toxicity_request(call: Call) -> None:
    """Coral Talk's toxic phase: text, languages ["en"], doNotStore, one
    attribute with {} parameters, the key as ?key=; it reads
    attributeScores.TOXICITY.summaryScore.value."""
    # given
    body = {
        "comment": {"text": "You are a pathetic idiot and a liar."},
        "languages": ["en"],
        "doNotStore": True,
        "requestedAttributes": {"TOXICITY": {}},
    }
    # when
    response = call(ANALYZE, body)
    # then
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    data = response.json()
    summary = data["attributeScores"]["TOXICITY"]["summaryScore"]
    assert summary["type"] == "PROBABILITY"
    assert summary["value"] > 0.5
    assert data["languages"] == ["en"]
    assert data["detectedLanguages"] == ["en"]


@pytest.mark.django_db
def test_civil_comment_scores_low(call: Call) -> None:
    # when
    response = call(
        ANALYZE,
        {
            "comment": {"text": "Thanks for the careful reporting on the budget."},
            "requestedAttributes": {"TOXICITY": {}},
        },
    )
    # then
    assert response.json()["attributeScores"]["TOXICITY"]["summaryScore"]["value"] < 0.3


@pytest.mark.django_db
@pytest.mark.parametrize("attribute", ATTRIBUTES[1:])
def test_coral_talk_other_model_is_scored_or_refused(
    call: Call, attribute: str
) -> None:
    """Coral's model setting may name SEVERE_TOXICITY (or another attribute):
    scored when the model really scores it, refused otherwise — never faked."""
    # given
    body = {
        "comment": {"text": "You are a pathetic idiot and a liar."},
        "languages": ["en"],
        "doNotStore": True,
        "requestedAttributes": {attribute: {}},
    }
    # when
    response = call(ANALYZE, body)
    # then
    if attribute in served():
        assert response.status_code == 200
        assert (
            0
            <= response.json()["attributeScores"][attribute]["summaryScore"]["value"]
            <= 1
        )
    else:
        assert response.status_code == 400
        error = response.json()["error"]
        assert error["status"] == "INVALID_ARGUMENT"
        assert f"Attribute {attribute} is not scored" in error["message"]


@pytest.mark.django_db
def test_chat_bot_request_with_spans(call: Call) -> None:
    """A chat-moderation bot asks for every attribute the server scores (here
    with their _EXPERIMENTAL spellings too), span annotations, a client token;
    span offsets index the text as sent."""
    # given
    text = "honestly mate, you are a worthless moron"
    attributes: dict[str, dict[str, str]] = {name: {} for name in served()}
    attributes["TOXICITY_EXPERIMENTAL"] = {"scoreType": "PROBABILITY"}
    body = {
        "comment": {"text": text, "type": "PLAIN_TEXT"},
        "requestedAttributes": attributes,
        "spanAnnotations": True,
        "languages": ["en"],
        "clientToken": "discord:1234:5678",
        "sessionId": "guild-42",
        "communityId": "guild-42",
    }
    # when
    response = call(ANALYZE, body)
    # then
    assert response.status_code == 200
    data = response.json()
    assert data["clientToken"] == "discord:1234:5678"
    assert set(data["attributeScores"]) == set(attributes)
    spans = data["attributeScores"]["TOXICITY"]["spanScores"]
    marked = [text[s["begin"] : s["end"]] for s in spans]
    # Which of the two insults passes the highlight cut depends on the model
    # (tox-e62b871e marks only "worthless"); each span is a word as sent.
    assert marked
    assert set(marked) <= {"worthless", "moron"}
    assert all(s["score"]["type"] == "PROBABILITY" for s in spans)


@pytest.mark.django_db
def test_html_comment_spans_point_into_the_html(call: Call) -> None:
    # given
    text = "<p>What a <b>moron</b> you are, honestly &amp; truly.</p>"
    # when
    response = call(
        ANALYZE,
        {
            "comment": {"text": text, "type": "HTML"},
            "requestedAttributes": {"TOXICITY": {}},
            "spanAnnotations": True,
        },
    )
    # then
    assert response.status_code == 200
    spans = response.json()["attributeScores"]["TOXICITY"]["spanScores"]
    assert "moron" in [text[s["begin"] : s["end"]] for s in spans]


@pytest.mark.django_db
def test_score_threshold_leaves_out_low_scores(call: Call) -> None:
    # when
    response = call(
        ANALYZE,
        {
            "comment": {"text": "A thoughtful piece, thank you."},
            "requestedAttributes": {"TOXICITY": {"scoreThreshold": 0.9}},
        },
    )
    # then
    assert response.status_code == 200
    assert response.json()["attributeScores"] == {}


@pytest.mark.django_db
def test_bearer_header_works_like_the_key_parameter(
    key: tuple[object, str], call: Call
) -> None:
    # when
    response = call(
        ANALYZE,
        {"comment": {"text": "fine"}, "requestedAttributes": {"TOXICITY": {}}},
        api_key="",
        HTTP_AUTHORIZATION=f"Bearer {key[1]}",
    )
    # then
    assert response.status_code == 200


@pytest.mark.django_db
def test_short_replies_are_scored_not_refused(call: Call) -> None:
    """ "+1" or "lol" is in no language; it is scored, with no detected language."""
    for text in ("+1", "lol", "ok"):
        # when
        response = call(
            ANALYZE,
            {"comment": {"text": text}, "requestedAttributes": {"TOXICITY": {}}},
        )
        # then
        assert response.status_code == 200, text
        assert response.json()["detectedLanguages"] == []
        assert response.json()["languages"] == ["en"]


@pytest.mark.django_db
def test_do_not_store_writes_no_text(call: Call) -> None:
    """doNotStore (and analyze in general): the text is nowhere in the
    database; only the key's request count moves."""
    # given
    text = "You are a pathetic idiot, signed Zebulon Quartermaine"
    # when
    response = call(
        ANALYZE,
        {
            "comment": {"text": text},
            "doNotStore": True,
            "requestedAttributes": {"TOXICITY": {}},
        },
    )
    # then
    assert response.status_code == 200
    assert Feedback.objects.count() == 0
    usage = KeyUsage.objects.get()
    assert (usage.analyze, usage.suggest) == (1, 0)
    from django.db import connection

    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608
            assert "Quartermaine" not in json.dumps(cursor.fetchall(), default=str)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "endpoint", ["http://testserver/v1alpha1", "http://testserver/v1alpha1/ "]
)
def test_coral_talk_joins_the_method_after_its_configured_endpoint(
    key: tuple[object, str], endpoint: str
) -> None:
    """Coral Talk trims the endpoint and path-joins "/comments:analyze" onto it
    (Node's path.join collapses the double slash), then sets ?key=."""
    # given
    from urllib.parse import urlsplit

    base = urlsplit(endpoint.strip())
    path = re.sub(r"/+", "/", f"{base.path}/comments:analyze")
    # when
    response = Client().post(
        f"{path}?key={key[1]}",
        data=json.dumps(
            {
                "comment": {"text": "Nobody asked for your idiotic opinion."},
                "languages": ["en"],
                "doNotStore": True,
                "requestedAttributes": {"TOXICITY": {}},
            }
        ),
        content_type="application/json",
    )
    # then
    assert response.status_code == 200
    assert "TOXICITY" in response.json()["attributeScores"]
