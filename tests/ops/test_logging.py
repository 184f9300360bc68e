import json
import logging

from roadmap.logging import JsonFormatter


def test_json_formatter_writes_one_parsable_object_per_record():
    record = logging.LogRecord(
        "gapmap.test", logging.WARNING, __file__, 1, "hello %s", ("x",), None
    )
    record.status_code = 503

    entry = json.loads(JsonFormatter().format(record))

    assert entry["level"] == "WARNING"
    assert entry["message"] == "hello x"
    assert entry["status_code"] == 503
