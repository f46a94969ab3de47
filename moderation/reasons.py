"""The fixed sets of reasons Parley records, one name each.

PipelineReason: why the pipeline held or rejected a comment. RejectionReason: what
a reader is told when a moderator rejects their comment. ReportReason: why a reader
reported a comment.
"""

from django.db import models


class PipelineReason(models.TextChoices):
    """Why the pipeline held or rejected a comment (recorded in its reasons)."""

    STORY_CLOSED = "STORY_CLOSED", "The story closed to comments before scoring"
    AUTHOR_SUSPENDED = "AUTHOR_SUSPENDED", "The author is suspended"
    AUTHOR_BANNED = "AUTHOR_BANNED", "The author is banned"
    BANNED_WORD = "BANNED_WORD", "Contains a banned word (rejected)"
    SUSPECT_WORD = "SUSPECT_WORD", "Contains a suspect word (held)"
    OTHER_LANGUAGE = (
        "OTHER_LANGUAGE",
        "Not in English, which the model scores: held for a human (not scored)",
    )
    TOXIC = "TOXIC", "The classifier scored it above the hold threshold"
    MODEL_UNAVAILABLE = "MODEL_UNAVAILABLE", "No model could score it (held)"
    NEW_COMMENTER = "NEW_COMMENTER", "One of the author's first comments"
    RECENT_REJECTIONS = "RECENT_REJECTIONS", "The author had comments rejected recently"
    PREMOD_STORY = "PREMOD_STORY", "The story is pre-moderated"
    PREMOD_USER = "PREMOD_USER", "The author is always pre-moderated"
    REPEAT_POST = "REPEAT_POST", "Same or nearly the same text posted again"
    BURST = "BURST", "Same text from several new accounts on one story"
    LINKS = "LINKS", "Contains more links than allowed"
    REPORTED = "REPORTED", "Readers' weighted reports passed the threshold"


class RejectionReason(models.TextChoices):
    """What a moderator tells the author when rejecting."""

    ABUSIVE = "abusive", "Abusive or insulting"
    SPAM = "spam", "Spam or advertising"
    OFF_TOPIC = "off_topic", "Off-topic"
    PERSONAL_INFO = "personal_info", "Shares personal information"
    OTHER = "other", "Breaks the community rules in another way"


class ReportReason(models.TextChoices):
    """Why a reader reports a comment."""

    ABUSIVE = "abusive", "Abusive or insulting"
    SPAM = "spam", "Spam or advertising"
    OFF_TOPIC = "off_topic", "Off-topic"
    OTHER = "other", "Something else"
