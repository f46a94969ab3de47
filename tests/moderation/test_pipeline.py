import json
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from articles.models import Article, CommentStatus, ModerationPolicy
from articles.services import comment_edit
from moderation.models import (
    AuthorStanding,
    CommentScore,
    Decision,
    ModerationSettings,
    PipelineResult,
    WordRule,
)
from moderation.pipeline import fingerprint, rule_matches
from moderation.services.scoring import comment_score
from tests.factories import make_article, make_comment, make_user

from .conftest import Post

CIVIL = "Thanks for the clear reporting on the council vote, very useful."
TOXIC = "You are a stupid idiot and a pathetic moron, shut up."


# The pipeline's unit tests score with a small model trained for the session
# (tests/moderation/conftest.py); the shipped model is tested in tests/classifier.
pytestmark = pytest.mark.usefixtures("tiny_model")


def _codes(comment_id: int) -> list[str]:
    return PipelineResult.objects.get(comment_id=comment_id).reason_codes


@pytest.mark.django_db
def test_civil_comment_from_a_regular_is_published(post: Post, regular: User) -> None:
    """A civil comment with no reasons is published, with one pipeline decision."""
    comment = post(author=regular, body=CIVIL)
    assert comment.status == CommentStatus.PUBLISHED
    decisions = Decision.objects.filter(comment=comment)
    assert [(d.from_status, d.to_status, d.source) for d in decisions] == [
        ("pending", "published", "pipeline")
    ]
    assert _codes(comment.pk) == []


@pytest.mark.django_db
def test_toxic_comment_is_held_not_rejected_by_default(
    post: Post, regular: User
) -> None:
    """A high score holds (TOXIC) with an explanation; it is not auto-rejected."""
    comment = post(author=regular, body=TOXIC)
    assert comment.status == CommentStatus.HELD
    assert "TOXIC" in _codes(comment.pk)
    score = CommentScore.objects.get(comment=comment)
    assert score.toxicity >= 0.5
    # moderators read the attribute that drove the hold beside the score
    (toxic,) = [
        r
        for r in PipelineResult.objects.get(comment=comment).reasons
        if r["code"] == "TOXIC"
    ]
    assert toxic["detail"].startswith(f"toxicity {score.toxicity:.2f}")
    assert ", driven by INSULT " in toxic["detail"]
    spans = score.explanation
    assert spans, "a held comment carries the phrases that drove its score"
    # Each span points at its own text in the comment, and the insults are among them.
    assert all(TOXIC[s["start"] : s["end"]] == s["text"] for s in spans)
    assert {"idiot", "moron"} <= {s["text"].lower() for s in spans}


@pytest.mark.django_db
def test_automatic_rejection_by_score_when_switched_on(
    post: Post, regular: User, mod_settings: ModerationSettings
) -> None:
    """With automatic rejection on and a low reject threshold, a toxic comment is
    rejected."""
    mod_settings.auto_reject_by_score = True
    mod_settings.reject_threshold = 0.5
    mod_settings.save()
    comment = post(author=regular, body=TOXIC)
    assert comment.status == CommentStatus.REJECTED


@pytest.mark.django_db
def test_banned_word_rejects_even_through_leetspeak(post: Post, regular: User) -> None:
    """A banned word rule sees through "sp4mw0rd"-style evasion and rejects."""
    WordRule.objects.create(pattern="buycheap*", kind=WordRule.Kind.BANNED)
    comment = post(author=regular, body="Great article. B U Y C H E A P pills now")
    assert comment.status == CommentStatus.REJECTED
    assert "BANNED_WORD" in _codes(comment.pk)


@pytest.mark.django_db
def test_suspect_word_holds(post: Post, regular: User) -> None:
    """A suspect word holds an otherwise civil comment."""
    WordRule.objects.create(pattern="referendum", kind=WordRule.Kind.SUSPECT)
    comment = post(author=regular, body="The referendum date was announced today.")
    assert comment.status == CommentStatus.HELD
    assert _codes(comment.pk) == ["SUSPECT_WORD"]


@pytest.mark.parametrize(
    ("pattern", "text", "matches"),
    [
        ("idiot", "what an idiot", True),
        ("idiot", "what an 1d10t", True),
        ("idiot", "what an i d i o t", True),
        ("idiot", "idiotic remark", False),
        ("idiot*", "idiotic remark", True),
        ("*idiot", "utter fullidiot", True),
        ("scunthorpe", "Scunthorpe United", True),
        ("ass", "a classic assessment", False),
    ],
)
def test_word_rules_match_whole_words_with_wildcards(
    pattern: str, text: str, matches: bool
) -> None:
    """Rules match whole words after normalisation; * extends them."""
    from moderation.classifier import normalise

    assert rule_matches(pattern, normalise(text)) is matches


@pytest.mark.django_db
def test_new_commenter_is_held(post: Post) -> None:
    """A first comment is held as NEW_COMMENTER."""
    newcomer = make_user(username="newbie")
    comment = post(author=newcomer, body=CIVIL)
    assert comment.status == CommentStatus.HELD
    assert _codes(comment.pk) == ["NEW_COMMENTER"]


@pytest.mark.django_db
def test_recent_rejections_hold(post: Post, regular: User) -> None:
    """An author with two recent rejections is held."""
    make_comment(author=regular, status=CommentStatus.REJECTED)
    make_comment(author=regular, status=CommentStatus.REJECTED)
    comment = post(author=regular, body=CIVIL)
    assert comment.status == CommentStatus.HELD
    assert "RECENT_REJECTIONS" in _codes(comment.pk)


@pytest.mark.django_db
def test_premoderated_story_holds_everything(post: Post, regular: User) -> None:
    """On a pre-moderated story every comment waits for a moderator."""
    story = make_article(moderation_policy=ModerationPolicy.PREMODERATED)
    comment = post(author=regular, body=CIVIL, on=story)
    assert comment.status == CommentStatus.HELD
    assert _codes(comment.pk) == ["PREMOD_STORY"]


@pytest.mark.django_db
def test_premoderated_author_is_held(post: Post, regular: User) -> None:
    """An author marked for pre-moderation is always held."""
    AuthorStanding.objects.create(user=regular, premoderated=True)
    comment = post(author=regular, body=CIVIL)
    assert _codes(comment.pk) == ["PREMOD_USER"]
    assert comment.status == CommentStatus.HELD


@pytest.mark.django_db
def test_repeat_post_is_held(post: Post, regular: User, article: Article) -> None:
    """The same author posting nearly the same text again soon is held."""
    first = post(author=regular, body=CIVIL)
    again = post(author=regular, body=CIVIL.upper() + "!!", on=make_article())
    assert first.status == CommentStatus.PUBLISHED
    assert again.status == CommentStatus.HELD
    assert _codes(again.pk) == ["REPEAT_POST"]


@pytest.mark.django_db
def test_same_text_from_many_new_accounts_is_a_burst(
    post: Post, mod_settings: ModerationSettings
) -> None:
    """Three new accounts posting one text on one story within minutes: BURST."""
    mod_settings.new_commenter_count = 0
    mod_settings.save()
    texts = [post(author=make_user(), body="Vote NO on the bridge!") for _ in range(3)]
    assert "BURST" not in _codes(texts[0].pk)
    assert "BURST" in _codes(texts[2].pk)
    assert texts[2].status == CommentStatus.HELD


@pytest.mark.django_db
def test_too_many_links_hold(post: Post, regular: User) -> None:
    """More links than allowed hold the comment as LINKS."""
    body = " ".join(f"https://example.org/{n}" for n in range(4))
    comment = post(author=regular, body=body)
    assert "LINKS" in _codes(comment.pk)


@pytest.mark.django_db
def test_banned_author_comment_is_rejected_by_the_worker(
    django_capture_on_commit_callbacks: object, regular: User, article: Article
) -> None:
    """A comment queued before its author was banned is rejected when scored."""
    comment = make_comment(author=regular, article=article, status="pending")
    AuthorStanding.objects.create(user=regular, banned=True)
    comment_score(comment_id=comment.pk, text_version=1)
    comment.refresh_from_db()
    assert comment.status == CommentStatus.REJECTED
    assert "AUTHOR_BANNED" in _codes(comment.pk)


@pytest.mark.django_db
def test_suspended_author_comment_is_held_by_the_worker(
    regular: User, article: Article
) -> None:
    """A comment queued before a suspension is held as AUTHOR_SUSPENDED."""
    comment = make_comment(author=regular, article=article, status="pending")
    AuthorStanding.objects.create(
        user=regular, suspended_until=timezone.now() + timedelta(days=1)
    )
    comment_score(comment_id=comment.pk, text_version=1)
    assert "AUTHOR_SUSPENDED" in _codes(comment.pk)


@pytest.mark.django_db
def test_story_closed_before_scoring_holds(regular: User) -> None:
    """A comment whose story closed while it waited is held, not published."""
    story = make_article()
    comment = make_comment(author=regular, article=story, status="pending")
    story.comments_open = False
    story.save()
    comment_score(comment_id=comment.pk, text_version=1)
    comment.refresh_from_db()
    assert comment.status == CommentStatus.HELD
    assert "STORY_CLOSED" in _codes(comment.pk)


@pytest.mark.django_db
def test_running_the_same_task_twice_changes_nothing(
    regular: User, article: Article
) -> None:
    """A repeated task writes no second decision and keeps one score row."""
    comment = make_comment(
        author=regular, article=article, body=CIVIL, status="pending"
    )
    comment_score(comment_id=comment.pk, text_version=1)
    assert comment_score(comment_id=comment.pk, text_version=1) is None
    assert Decision.objects.filter(comment=comment).count() == 1
    assert CommentScore.objects.filter(comment=comment).count() == 1


@pytest.mark.django_db
def test_scoring_a_held_comment_again_upserts_its_score_under_the_lock(
    regular: User, article: Article
) -> None:
    """Re-scoring runs past the early return twice: one score row per model
    version, updated in place, and no decision (a person decides held comments)."""
    # given a comment the pipeline held
    comment = make_comment(
        author=regular, article=article, body=TOXIC, status="pending"
    )
    comment_score(comment_id=comment.pk, text_version=1)
    first = CommentScore.objects.get(comment=comment)
    # when it is re-scored twice
    runs = [
        comment_score(comment_id=comment.pk, text_version=1, rescore=True)
        for _ in range(2)
    ]
    # then both runs scored it, and it still has one score row and one decision
    assert all(run and len(run) == 1 for run in runs)
    again = CommentScore.objects.get(comment=comment)
    assert again.pk == first.pk
    assert again.scored_at > first.scored_at
    assert Decision.objects.filter(comment=comment).count() == 1
    comment.refresh_from_db()
    assert comment.status == CommentStatus.HELD


@pytest.mark.django_db
def test_stale_task_for_an_edited_comment_is_dropped(post: Post, regular: User) -> None:
    """A task queued for version 1 does nothing once the comment is at version 2."""
    comment = make_comment(author=regular, body=CIVIL, status="pending")
    comment_edit(comment=comment, editor=regular, body=TOXIC)
    assert comment_score(comment_id=comment.pk, text_version=1) is None
    comment.refresh_from_db()
    assert comment.status == CommentStatus.PENDING
    comment_score(comment_id=comment.pk, text_version=2)
    comment.refresh_from_db()
    assert comment.status == CommentStatus.HELD


@pytest.mark.django_db
def test_edit_goes_back_through_moderation(post: Post, regular: User) -> None:
    """Editing a published comment to abuse gets it held, with an author decision."""
    comment = post(author=regular, body=CIVIL)
    with_edit = comment_edit(comment=comment, editor=regular, body=TOXIC)
    assert with_edit.status == CommentStatus.PENDING
    comment_score(comment_id=comment.pk, text_version=2)
    comment.refresh_from_db()
    assert comment.status == CommentStatus.HELD
    sources = list(
        Decision.objects.filter(comment=comment)
        .order_by("created_at", "id")
        .values_list("source", "to_status")
    )
    assert sources == [
        ("pipeline", "published"),
        ("author", "pending"),
        ("pipeline", "held"),
    ]


@pytest.mark.django_db
def test_no_model_means_held_for_review(
    post: Post, regular: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If no model loads, comments are held (fail closed) as MODEL_UNAVAILABLE."""
    from moderation.models import ModelVersion
    from moderation.services import registry

    ModelVersion.objects.create(
        version="broken", path="/nonexistent.skops", is_active=True
    )
    monkeypatch.setattr(registry, "_loaded", {})
    comment = post(author=regular, body=CIVIL)
    assert comment.status == CommentStatus.HELD
    assert _codes(comment.pk) == ["MODEL_UNAVAILABLE"]


def test_fingerprint_ignores_case_spacing_and_punctuation() -> None:
    """Nearly identical texts share a fingerprint; different texts do not."""
    assert fingerprint("Vote NO on the bridge!") == fingerprint(
        "vote   no on the BRIDGE"
    )
    assert fingerprint("Vote NO on the bridge!") != fingerprint(
        "Vote yes on the bridge"
    )


@pytest.mark.django_db
def test_edit_landing_while_version_1_is_scored_is_decided_on_new_text_only(
    regular: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edit that lands mid-scoring drops the run; the new text is decided."""
    from moderation.services import scoring

    # given a civil comment whose scoring is interrupted by its author's edit
    comment = make_comment(author=regular, body=CIVIL, status="pending")
    real_run = scoring.run_pipeline_batch

    def run_then_edit(*args: object, **kwargs: object) -> object:
        result = real_run(*args, **kwargs)  # type: ignore[arg-type]
        comment_edit(comment=comment, editor=regular, body=TOXIC)
        return result

    monkeypatch.setattr(scoring, "run_pipeline_batch", run_then_edit)
    # when version 1's task finishes scoring
    outcome = comment_score(comment_id=comment.pk, text_version=1)
    # then nothing of version 1 is applied
    assert outcome is None
    comment.refresh_from_db()
    assert comment.status == CommentStatus.PENDING
    assert not CommentScore.objects.filter(comment=comment).exists()
    # and version 2 is decided on its own text
    monkeypatch.setattr(scoring, "run_pipeline_batch", real_run)
    comment_score(comment_id=comment.pk, text_version=2)
    comment.refresh_from_db()
    assert comment.status == CommentStatus.HELD
    assert CommentScore.objects.get(comment=comment).text_version == 2


@pytest.mark.django_db
def test_one_task_decides_the_waiting_batch_and_later_tasks_do_nothing(
    regular: User, article: Article
) -> None:
    """A task takes other pending comments along; their own tasks then stop."""
    # given five comments waiting
    waiting = [
        make_comment(
            author=regular, article=article, body=f"{CIVIL} {n}", status="pending"
        )
        for n in range(5)
    ]
    # when the first one's task runs, then every other task
    runs = comment_score(comment_id=waiting[0].pk, text_version=1)
    later = [comment_score(comment_id=c.pk, text_version=1) for c in waiting[1:]]
    # then all five were decided by the first, once each
    assert runs is not None
    assert {r.comment_id for r in runs} == {c.pk for c in waiting}
    assert later == [None] * 4
    for c in waiting:
        assert Decision.objects.filter(comment=c, source="pipeline").count() == 1


@pytest.mark.django_db
def test_comment_in_another_language_is_held_unscored(
    post: Post, regular: User
) -> None:
    """The model scores English only: a German comment is held for a human with
    its own reason and no English score, however civil it is."""
    comment = post(
        author=regular,
        body="Vielen Dank für den ausgezeichneten Artikel über die Stadtratswahl.",
    )
    assert comment.status == CommentStatus.HELD
    assert _codes(comment.pk) == ["OTHER_LANGUAGE"]
    assert not CommentScore.objects.filter(comment=comment).exists()
    result = PipelineResult.objects.get(comment_id=comment.pk)
    assert "de" in json.dumps(result.reasons)


@pytest.mark.django_db
@pytest.mark.parametrize("body", ["ok", "lol", "+1", "Agreed!"])
def test_short_replies_are_not_held_for_their_language(
    post: Post, regular: User, body: str
) -> None:
    comment = post(author=regular, body=body)
    assert comment.status == CommentStatus.PUBLISHED
    assert "OTHER_LANGUAGE" not in _codes(comment.pk)


@pytest.mark.django_db
def test_banned_word_still_rejects_a_comment_in_another_language(
    post: Post, regular: User
) -> None:
    WordRule.objects.create(pattern="arschloch", kind=WordRule.Kind.BANNED)
    comment = post(
        author=regular, body="Du bist ein Arschloch und alle hier wissen das genau."
    )
    assert comment.status == CommentStatus.REJECTED


@pytest.mark.django_db
def test_moderators_see_why_a_comment_in_another_language_was_held(
    post: Post, regular: User
) -> None:
    # given
    from django.contrib.auth.models import Group
    from django.test import Client
    from django.urls import reverse

    comment = post(
        author=regular,
        body="Merci pour cet article passionnant sur les élections municipales.",
    )
    moderator = make_user(username="mod", is_staff=True)
    moderator.groups.add(Group.objects.get(name="Moderators"))
    client = Client()
    client.force_login(moderator)
    # when
    page = client.get(
        reverse("admin:moderation_needsreviewcomment_change", args=[comment.pk])
    ).content.decode()
    # then
    assert "OTHER_LANGUAGE" in page
    assert "fr (" in page
