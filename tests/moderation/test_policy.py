import pytest

from moderation.policy import Outcome, PolicySettings, decide

DEFAULT = PolicySettings(hold_threshold=0.5, reject_threshold=0.97)
AUTO = PolicySettings(
    hold_threshold=0.5, reject_threshold=0.97, auto_reject_by_score=True
)

# a moderator's hold threshold (0.99) above an older reject threshold (0.9)
LOW_REJECT = PolicySettings(
    hold_threshold=0.99, reject_threshold=0.9, auto_reject_by_score=True
)


@pytest.mark.parametrize(
    ("toxicity", "reasons", "settings", "expected"),
    [
        # clean comments publish
        (0.10, [], DEFAULT, Outcome.PUBLISH),
        (0.49, [], DEFAULT, Outcome.PUBLISH),
        # the hold threshold is inclusive
        (0.50, [], DEFAULT, Outcome.HOLD),
        # very toxic: held by default, rejected only with automatic rejection on
        (0.99, [], DEFAULT, Outcome.HOLD),
        (0.99, [], AUTO, Outcome.REJECT),
        (0.96, [], AUTO, Outcome.HOLD),
        # the model's operating point as the hold threshold
        (0.13, [], PolicySettings(hold_threshold=0.131), Outcome.PUBLISH),
        (0.131, [], PolicySettings(hold_threshold=0.131), Outcome.HOLD),
        # a reject threshold below the hold threshold never rejects what would
        # not even be held: rejection starts at the higher of the two
        (0.95, [], LOW_REJECT, Outcome.PUBLISH),
        (0.99, [], LOW_REJECT, Outcome.REJECT),
        # rejecting reasons reject whatever the score
        (0.01, ["BANNED_WORD"], DEFAULT, Outcome.REJECT),
        (0.01, ["AUTHOR_BANNED"], DEFAULT, Outcome.REJECT),
        (None, ["BANNED_WORD"], DEFAULT, Outcome.REJECT),
        # no score: fail closed
        (None, [], DEFAULT, Outcome.HOLD),
        # holding reasons hold a clean comment
        (0.01, ["SUSPECT_WORD"], DEFAULT, Outcome.HOLD),
        (0.01, ["NEW_COMMENTER"], DEFAULT, Outcome.HOLD),
        (0.01, ["RECENT_REJECTIONS"], DEFAULT, Outcome.HOLD),
        (0.01, ["PREMOD_STORY"], DEFAULT, Outcome.HOLD),
        (0.01, ["PREMOD_USER"], DEFAULT, Outcome.HOLD),
        (0.01, ["REPEAT_POST"], DEFAULT, Outcome.HOLD),
        (0.01, ["BURST"], DEFAULT, Outcome.HOLD),
        (0.01, ["LINKS"], DEFAULT, Outcome.HOLD),
        (0.01, ["AUTHOR_SUSPENDED"], DEFAULT, Outcome.HOLD),
        (0.01, ["STORY_CLOSED"], DEFAULT, Outcome.HOLD),
        # a rejecting reason wins over holding ones
        (0.99, ["SUSPECT_WORD", "BANNED_WORD"], DEFAULT, Outcome.REJECT),
    ],
)
def test_policy_table(
    toxicity: float | None,
    reasons: list[str],
    settings: PolicySettings,
    expected: Outcome,
) -> None:
    """The decision for each combination of score, reasons and settings."""
    assert decide(toxicity=toxicity, reasons=reasons, settings=settings) == expected
