"""The comment POST's reading of its JSON: the plain cases without the serializer,
with the serializer's result."""

import pytest
from django.http import QueryDict

from articles.api.serializers import CommentCreateInputSerializer, comment_create_input

PLAIN = [
    {"body": "The bridge vote needs a second look."},
    {"body": ""},
    {"body": "  spaced  \r\n"},
    {"body": "nul \x00 and a lone \ud800"},
    {"body": "Hi", "parent_id": 12},
    {"body": "Hi", "parent_id": 0},
    {"body": "Hi", "parent_id": -3},
    {"body": "Hi", "parent_id": None},
    {"body": "Hi", "extra": [1, 2], "parent_id": 7},
]
LEFT_TO_THE_SERIALIZER = [
    {},
    {"body": None},
    {"body": 42},
    {"body": ["a"]},
    {"parent_id": 3},
    {"body": "Hi", "parent_id": True},
    {"body": "Hi", "parent_id": "12"},
    {"body": "Hi", "parent_id": 12.0},
    {"body": "Hi", "parent_id": "x"},
    ["body"],
    None,
    QueryDict("body=Hi"),
]


@pytest.mark.parametrize("data", PLAIN)
def test_plain_input_reads_as_the_serializer_reads_it(data: dict[str, object]) -> None:
    """A JSON object with a string body and a whole-number or null parent_id is
    read to exactly what the serializer validates it to."""
    # given
    serializer = CommentCreateInputSerializer(data=data)
    # when
    read = comment_create_input(data)
    # then
    assert serializer.is_valid(), serializer.errors
    assert read == dict(serializer.validated_data)


@pytest.mark.parametrize("data", LEFT_TO_THE_SERIALIZER)
def test_other_input_is_left_to_the_serializer(data: object) -> None:
    """Anything else goes through the serializer, which refuses or converts it
    as it always did."""
    assert comment_create_input(data) is None
