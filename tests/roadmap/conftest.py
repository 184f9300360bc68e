# The real-worker SMTP fixtures (see smtp_runs.py). test_reminders_redis, test_reminders_smtp_phases
# and test_reminders_smtp_tls define a web_broker or smtp of their own, which wins in that module.
from tests.roadmap.smtp_runs import smtp, web_broker  # noqa: F401
