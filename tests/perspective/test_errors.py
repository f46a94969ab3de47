"""Every error is Google's JSON: {"error": {"code", "message", "status"}}."""

import time
from typing import Any

import pytest
from django.test import Client, override_settings

from perspective.models import ApiKey, KeyUsage
from perspective.services import api_key_create, api_key_revoke

from .conftest import ANALYZE, BASE_URL, SUGGEST, Call, post_json

TOXICITY: dict[str, dict[str, object]] = {"TOXICITY": {}}


def error_of(response: Any, code: int, status: str) -> dict[str, Any]:
    assert response.status_code == code
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == code
    assert error["status"] == status
    assert error["message"]
    return error


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"requestedAttributes": TOXICITY}, "Comment must be specified"),
        ({"comment": {}, "requestedAttributes": TOXICITY}, "text must be specified"),
        ({"comment": {"text": "  "}, "requestedAttributes": TOXICITY}, "empty"),
        ({"comment": {"text": 5}, "requestedAttributes": TOXICITY}, "comment.text"),
        ({"comment": {"text": "hi"}}, "Requested attributes must not be empty"),
        (
            {"comment": {"text": "hi"}, "requestedAttributes": {}},
            "Requested attributes must not be empty",
        ),
        (
            {"comment": {"text": "hi"}, "requestedAttributes": {"SPAM": {}}},
            "Unknown attribute: SPAM",
        ),
        (
            {
                "comment": {"text": "hi"},
                "requestedAttributes": {"TOXICITY": {"scoreThreshold": 2}},
            },
            "scoreThreshold",
        ),
        (
            {
                "comment": {"text": "hi"},
                "requestedAttributes": {"TOXICITY": {"scoreType": "STD_DEV_SCORE"}},
            },
            "PROBABILITY",
        ),
        (
            {
                "comment": {"text": "hi", "type": "MARKDOWN"},
                "requestedAttributes": TOXICITY,
            },
            "comment.type",
        ),
        (
            {"comment": {"text": "hi"}, "requestedAttributes": TOXICITY, "colour": 1},
            'Unknown name "colour"',
        ),
        (
            {"comment": {"text": "x" * 20481}, "requestedAttributes": TOXICITY},
            "too many bytes",
        ),
        (
            {
                "comment": {"text": "hi"},
                "requestedAttributes": TOXICITY,
                "languages": "en",
            },
            "languages",
        ),
    ],
)
def test_bad_requests_are_invalid_argument(
    call: Call, body: dict[str, Any], message: str
) -> None:
    # when
    response = call(ANALYZE, body)
    # then
    assert message in error_of(response, 400, "INVALID_ARGUMENT")["message"]


@pytest.mark.django_db
@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b"\xff\xfe", b""])
def test_bad_json_is_invalid_argument(call: Call, raw: bytes) -> None:
    # when
    response = call(ANALYZE, raw)
    # then
    assert (
        "Invalid JSON payload" in error_of(response, 400, "INVALID_ARGUMENT")["message"]
    )


@pytest.mark.django_db
def test_declared_language_not_served(call: Call) -> None:
    # when
    response = call(
        ANALYZE,
        {
            "comment": {"text": "Hola"},
            "languages": ["es"],
            "requestedAttributes": TOXICITY,
        },
    )
    # then
    error = error_of(response, 400, "INVALID_ARGUMENT")
    assert (
        error["message"] == "Attribute TOXICITY does not support request languages: es"
    )
    assert error["details"][0]["errorType"] == "LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE"


@pytest.mark.django_db
def test_detected_language_is_checked_not_only_the_declared_one(call: Call) -> None:
    """Declared English but written in German: refused, not given an English score."""
    # when
    response = call(
        ANALYZE,
        {
            "comment": {"text": "Das ist ein wirklich dummer Artikel, ihr Idioten."},
            "languages": ["en"],
            "requestedAttributes": TOXICITY,
        },
    )
    # then
    error = error_of(response, 400, "INVALID_ARGUMENT")
    assert "detected languages: de" in error["message"]
    detail = error["details"][0]["languageNotSupportedByAttributeError"]
    assert detail["detectedLanguages"] == ["de"]


@pytest.mark.django_db
def test_drop_unsupported_attributes_answers_without_scores(call: Call) -> None:
    # when
    response = call(
        ANALYZE,
        {
            "comment": {"text": "Das ist ein wirklich dummer Artikel, ihr Idioten."},
            "requestedAttributes": TOXICITY,
            "dropUnsupportedAttributes": True,
        },
    )
    # then
    assert response.status_code == 200
    assert response.json()["attributeScores"] == {}
    assert response.json()["detectedLanguages"] == ["de"]


@pytest.mark.django_db
def test_missing_key_is_permission_denied() -> None:
    # when
    response = post_json(Client(), ANALYZE, {"comment": {"text": "hi"}})
    # then
    assert (
        "missing a valid API key"
        in error_of(response, 403, "PERMISSION_DENIED")["message"]
    )


@pytest.mark.django_db
def test_unknown_key_is_unauthenticated(call: Call) -> None:
    # when
    response = call(ANALYZE, {"comment": {"text": "hi"}}, api_key="pk_nonsense")
    # then
    error_of(response, 401, "UNAUTHENTICATED")


@pytest.mark.django_db
def test_revoked_key_is_permission_denied(call: Call, key: tuple[ApiKey, str]) -> None:
    # given
    api_key_revoke(api_key=key[0])
    # when
    response = call(
        ANALYZE, {"comment": {"text": "hi"}, "requestedAttributes": TOXICITY}
    )
    # then
    assert "revoked" in error_of(response, 403, "PERMISSION_DENIED")["message"]


@pytest.mark.django_db
def test_over_quota_is_resource_exhausted_with_retry_after(call: Call) -> None:
    # given
    body = {"comment": {"text": "hi"}, "requestedAttributes": TOXICITY}
    _warm, warm_secret = api_key_create(name="warm-up")
    call(ANALYZE, body, api_key=warm_secret)  # the model loads on first use
    # when: three requests within one second (the quota's window); a burst that
    # straddles a second on a slow machine is tried again with a fresh key
    for attempt in range(5):
        _row, secret = api_key_create(name=f"tiny-{attempt}", qps_limit=2)
        second = int(time.time())
        responses = [call(ANALYZE, body, api_key=secret) for _ in range(3)]
        if int(time.time()) == second:
            break
    # then
    assert [r.status_code for r in responses[:2]] == [200, 200]
    error_of(responses[2], 429, "RESOURCE_EXHAUSTED")
    assert responses[2]["Retry-After"] == "1"
    usage = KeyUsage.objects.get(key__name=f"tiny-{attempt}")
    assert (usage.analyze, usage.over_quota) == (2, 1)


@pytest.mark.django_db
def test_quota_is_per_second(call: Call) -> None:
    """The quota counts requests in one second; the next second starts afresh."""
    from perspective.services import api_key_for, quota_check

    # given
    _row, secret = api_key_create(name="tiny", qps_limit=1)
    row = api_key_for(secret)
    quota_check(api_key=row, now=1000.2)
    # when / then
    with pytest.raises(Exception, match="Quota exceeded"):
        quota_check(api_key=row, now=1000.9)
    quota_check(api_key=row, now=1001.0)


@pytest.mark.django_db
@pytest.mark.parametrize("path", [ANALYZE, SUGGEST])
def test_get_is_not_found_in_json(path: str, key: tuple[ApiKey, str]) -> None:
    # when
    response = Client().get(f"{path}?key={key[1]}")
    # then
    error_of(response, 404, "NOT_FOUND")


@pytest.mark.django_db
def test_unknown_method_is_not_found_in_json() -> None:
    # when
    response = Client().post(f"{BASE_URL}/comments:summarize")
    # then
    error_of(response, 404, "NOT_FOUND")


@pytest.mark.django_db
def test_key_never_appears_in_logs(
    call: Call, key: tuple[ApiKey, str], caplog: pytest.LogCaptureFixture
) -> None:
    # given
    caplog.set_level("DEBUG")
    # when
    call(ANALYZE, {"comment": {"text": "hi"}, "requestedAttributes": {"SPAM": {}}})
    call(ANALYZE, {"comment": {"text": "hi"}, "requestedAttributes": TOXICITY})
    # then
    assert key[1] not in caplog.text
    assert "key=coral" in caplog.text


@pytest.mark.django_db
@override_settings(PARLEY_PERSPECTIVE_API=False)
def test_processes_that_do_not_serve_the_api_answer_not_found(call: Call) -> None:
    # when
    response = call(
        ANALYZE, {"comment": {"text": "hi"}, "requestedAttributes": TOXICITY}
    )
    # then
    assert "PARLEY_PERSPECTIVE_API" in error_of(response, 404, "NOT_FOUND")["message"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", [ANALYZE, SUGGEST])
@pytest.mark.parametrize(
    "raw",
    [
        b'{"comment": {"text": "\\ud800 an unpaired surrogate"}}',
        b"[" * 50_000 + b"]" * 50_000,
    ],
)
def test_text_that_is_not_unicode_and_deep_nesting_are_invalid(
    call: Call, path: str, raw: bytes
) -> None:
    # when
    response = call(path, raw)
    # then
    assert (
        "Invalid JSON payload" in error_of(response, 400, "INVALID_ARGUMENT")["message"]
    )
