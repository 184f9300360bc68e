from celery import shared_task

from roadmap.services import deliveries, reminders


@shared_task
def ping_task(value: str = "pong") -> str:
    """Answers with its argument: proves a broker and a worker are connected end to end."""
    return value


# The Delivery rows are the record of what happened; a stored Celery result would only cost a
# result-channel subscription per enqueue and a write per send.
@shared_task(ignore_result=True)
def reminders_dispatch_task() -> dict:
    """Beat's 15-minute tick: create due Delivery rows and enqueue their sends."""
    return vars(reminders.reminders_dispatch())


@shared_task(bind=True, acks_late=True, max_retries=None, ignore_result=True)
def send_delivery_task(self, delivery_id: int) -> str:
    """Send one Delivery. The row's status and attempts are the truth; Celery only carries the
    retry (short countdowns, well inside the broker's visibility timeout). A retry message that
    is lost leaves the row pending, and the dispatcher enqueues it again."""
    result = deliveries.delivery_send(delivery_id=delivery_id)
    if result.outcome == deliveries.Outcome.RETRY:
        raise self.retry(countdown=result.countdown)
    return result.outcome


def _retry_alone(delivery_id: int, countdown: float) -> None:
    send_delivery_task.apply_async((delivery_id,), countdown=countdown)


@shared_task(bind=True, acks_late=True, ignore_result=True)
def send_deliveries_task(self, delivery_ids: list[int]) -> dict:
    """Send a chunk of deliveries (see `deliveries.deliveries_send`). A row that needs a
    retry goes back to pending on its own and is enqueued, at its own countdown, the moment it
    fails, to be retried alone by `send_delivery_task`; the rest of the chunk is never resent,
    and a lost retry message is repaired by the dispatcher."""
    results = deliveries.deliveries_send(delivery_ids=delivery_ids, on_retry=_retry_alone)
    outcomes: dict[str, int] = {}
    for result in results.values():
        outcomes[result.outcome] = outcomes.get(result.outcome, 0) + 1
    return outcomes
