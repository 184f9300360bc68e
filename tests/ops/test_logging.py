import json
import logging
import re

import pytest

from roadmap.logging import JsonFormatter
from tests.services import running_celery_worker


def test_json_formatter_writes_one_parsable_object_per_record():
    record = logging.LogRecord(
        "gapmap.test", logging.WARNING, __file__, 1, "hello %s", ("x",), None
    )
    record.status_code = 503

    entry = json.loads(JsonFormatter().format(record))

    assert entry["level"] == "WARNING"
    assert entry["message"] == "hello x"
    assert entry["status_code"] == 503


@pytest.mark.redis
def test_the_worker_logs_json_lines_when_log_format_is_json(redis_url):
    with running_celery_worker(redis_url, extra_env={"LOG_FORMAT": "json"}) as worker:
        output = worker.output()

    entries = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    ready = [entry for entry in entries if entry["message"].endswith(" ready.")]
    assert ready and ready[0]["level"] == "INFO"
    assert any(entry["logger"].startswith("celery.") for entry in entries)
    # Celery's own plain format ("[2026-01-01 10:00:00,000: INFO/MainProcess] ...") is gone.
    assert not re.search(r"^\[\d{4}-\d\d-\d\d [^]]*: \w+/MainProcess\]", output, re.MULTILINE)
