import pytest
from celery import Celery

pytestmark = pytest.mark.redis


def test_task_travels_through_real_redis_to_a_real_worker(celery_worker, redis_url):
    client = Celery(broker=redis_url, backend=redis_url)
    result = client.send_task("roadmap.tasks.ping_task", args=["hello from the test"])

    assert result.get(timeout=30) == "hello from the test"
    assert "roadmap.tasks.ping_task" in celery_worker.output()
