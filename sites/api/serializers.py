from rest_framework import serializers

from articles.models import Article, ModerationPolicy


class StoryInputSerializer(serializers.Serializer[None]):
    title = serializers.CharField(max_length=300)
    url = serializers.URLField(max_length=1000, required=False, allow_blank=True)
    section = serializers.CharField(max_length=100, required=False, allow_blank=True)
    published_at = serializers.DateTimeField(required=False)
    standfirst = serializers.CharField(required=False, allow_blank=True)
    byline = serializers.CharField(max_length=200, required=False, allow_blank=True)
    policy = serializers.ChoiceField(
        choices=ModerationPolicy.choices,
        required=False,
        help_text="open, premoderated (every comment waits for a moderator) or "
        "closed (no new comments).",
    )


class StoryOutputSerializer(serializers.ModelSerializer[Article]):
    site = serializers.CharField(source="site.slug", read_only=True)
    policy = serializers.CharField(source="moderation_policy")
    comments_url = serializers.SerializerMethodField()

    class Meta:
        model = Article
        fields = [
            "site",
            "external_id",
            "title",
            "url",
            "section",
            "published_at",
            "standfirst",
            "byline",
            "policy",
            "comments_open",
            "comments_url",
        ]

    def get_comments_url(self, article: Article) -> str:
        request = self.context.get("request")
        path = article.get_absolute_url()
        return request.build_absolute_uri(path) if request else path
