from django.db import transaction
from django.utils import timezone

from articles.models import Comment, CommentStatus


def comment_score(*, comment_id: int, text_version: int) -> None:
    with transaction.atomic():
        comment = Comment.objects.select_for_update().filter(pk=comment_id).first()
        if comment is None or comment.text_version != text_version:
            return
        if comment.status != CommentStatus.PENDING:
            return
        comment.status = CommentStatus.PUBLISHED
        comment.status_changed_at = timezone.now()
        comment.save(update_fields=["status", "status_changed_at"])
