from typing import Any

from django.core.validators import ProhibitNullCharactersValidator
from rest_framework import serializers
from rest_framework.validators import ProhibitSurrogateCharactersValidator

from articles.models import Article, Comment


class ArticleOutputSerializer(serializers.ModelSerializer[Article]):
    comment_count = serializers.IntegerField(read_only=True)
    url = serializers.CharField(source="get_absolute_url", read_only=True)
    comments_closed_reason = serializers.SerializerMethodField()

    class Meta:
        model = Article
        fields = (
            "slug",
            "title",
            "standfirst",
            "byline",
            "section",
            "published_at",
            "moderation_policy",
            "comment_count",
            "comments_closed_reason",
            "url",
        )

    def get_comments_closed_reason(self, obj: Article) -> str | None:
        return obj.comments_closed_reason()


class ArticleDetailOutputSerializer(ArticleOutputSerializer):
    class Meta(ArticleOutputSerializer.Meta):
        fields = (*ArticleOutputSerializer.Meta.fields, "body")  # type: ignore[assignment]


class CommentOutputSerializer(serializers.Serializer[Comment]):
    """A comment as the viewer may see it: tombstones carry no author or text."""

    id = serializers.IntegerField()
    parent_id = serializers.IntegerField(allow_null=True)
    depth = serializers.IntegerField()
    status = serializers.CharField()
    author = serializers.CharField(allow_null=True)
    author_badge = serializers.CharField(
        allow_null=True,
        help_text='"Moderator" or "Staff" for Parley\'s staff, null for readers.',
    )
    body = serializers.CharField(allow_null=True)
    body_html = serializers.CharField(
        allow_null=True, help_text="The body as safe HTML: paragraphs and links."
    )
    created_at = serializers.DateTimeField()
    edited_at = serializers.DateTimeField(allow_null=True)
    awaiting_review = serializers.BooleanField()
    url = serializers.CharField()
    more_replies = serializers.IntegerField(
        required=False,
        help_text="On a top-level comment: replies beyond this page's bound, read "
        "on the comment's own page.",
    )


class CommentBodyField(serializers.CharField):
    """The comment text, passed on as typed: the service validates it, so the API
    and the HTML form refuse the same input with the same message."""

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("trim_whitespace", False)
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault(
            "error_messages",
            {
                "required": 'Write your comment in the "body" field.',
                "null": 'Write your comment in the "body" field.',
                "invalid": "The comment must be text.",
            },
        )
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.validators = [
            v
            for v in self.validators
            if not isinstance(
                v,
                ProhibitNullCharactersValidator | ProhibitSurrogateCharactersValidator,
            )
        ]

    def to_internal_value(self, data: object) -> str:
        # DRF's CharField turns 42 into "42"; a number is not a comment.
        if not isinstance(data, str):
            self.fail("invalid")
        return str(super().to_internal_value(data))


class CommentCreateInputSerializer(serializers.Serializer[None]):
    body = CommentBodyField()
    parent_id = serializers.IntegerField(
        required=False,
        allow_null=True,
        error_messages={"invalid": "parent_id must be the id number of a comment."},
    )


def comment_create_input(data: object) -> dict[str, Any] | None:
    """What `CommentCreateInputSerializer` validates `data` to, for the input it
    passes as is, or None: a JSON object whose "body" is a string and whose
    "parent_id", if any, is a whole number or null. Anything else (a form, a
    missing or non-string body, a parent_id of another type) is left to the
    serializer, which answers it exactly as before.

    For that input every field of the serializer hands its value on unchanged
    (the body field strips nothing and has no validators; DRF's IntegerField
    gives an int back as itself) and unknown keys are ignored, so the result is
    the same; building and binding the serializer's fields cost about 7% of a
    comment POST's CPU.
    """
    if type(data) is not dict:
        return None
    body = data.get("body")
    if type(body) is not str:
        return None
    if "parent_id" not in data:
        return {"body": body}
    parent_id = data["parent_id"]
    if parent_id is not None and type(parent_id) is not int:
        return None  # bool is an int to Python, not to DRF: the serializer decides
    return {"body": body, "parent_id": parent_id}


class CommentEditInputSerializer(serializers.Serializer[None]):
    body = CommentBodyField()


class ThreadOutputSerializer(serializers.Serializer[None]):
    count = serializers.IntegerField(
        required=False, help_text="Top-level comments in the thread (numbered pages)."
    )
    page = serializers.IntegerField(required=False)
    num_pages = serializers.IntegerField(required=False)
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True, required=False)
    next_cursor = serializers.CharField(
        allow_null=True, help_text="Pass as `cursor` to read on from here."
    )
    sort = serializers.CharField()
    results = CommentOutputSerializer(many=True)
