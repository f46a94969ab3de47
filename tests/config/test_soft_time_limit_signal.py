"""Which soft-limit signals reach a task body (config/celery_tasks.py)."""

from config.celery_tasks import EARLY_SLACK_SECONDS, is_genuine


def test_a_signal_with_no_task_running_is_never_raised() -> None:
    assert not is_genuine(running=False, elapsed=100.0, soft_limit=20.0)


def test_a_signal_reaching_a_task_that_just_started_was_meant_for_the_last_one() -> (
    None
):
    assert not is_genuine(running=True, elapsed=0.2, soft_limit=20.0)


def test_a_task_that_ran_its_limit_is_stopped() -> None:
    assert is_genuine(running=True, elapsed=20.0 - EARLY_SLACK_SECONDS, soft_limit=20)
    assert is_genuine(running=True, elapsed=25.0, soft_limit=20.0)
