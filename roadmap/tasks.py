from celery import shared_task


@shared_task
def ping_task(value: str = "pong") -> str:
    """Answers with its argument: proves a broker and a worker are connected end to end."""
    return value
