"""Checking that resources' links still answer: `manage.py check_links` and the weekly Celery
task (curriculum/tasks.py) call `resource_links_check`.

Each distinct URL is fetched once (a URL listed under several competencies is one request):
HEAD first, then GET when HEAD fails or is refused (many servers answer HEAD with 403, 405 or
worse), redirects followed, a short timeout, and a bounded number at once (a thread pool). The
status recorded is the final one after redirects; 0 means no answer (timeout, refused, TLS or
DNS failure). Standard library only."""

import ssl
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.utils import timezone

from curriculum.models import Resource

DEFAULT_TIMEOUT = 10.0
DEFAULT_WORKERS = 8
USER_AGENT = "Gapmap-link-check/1.0"
NO_ANSWER = 0


def url_status(url: str, *, timeout: float = DEFAULT_TIMEOUT, context=None) -> int:
    """The HTTP status `url` ends on (after redirects), HEAD then GET; NO_ANSWER if none."""
    status = _fetch(url, "HEAD", timeout, context)
    if 200 <= status < 300:
        return status
    fallback = _fetch(url, "GET", timeout, context)
    return fallback if fallback != NO_ANSWER else status


def _fetch(url: str, method: str, timeout: float, context) -> int:
    request = urllib.request.Request(url, method=method, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout, context=context) as response:  # noqa: S310 (https only, from the curriculum)
            if method == "GET":
                response.read(1024)
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (urllib.error.URLError, TimeoutError, ssl.SSLError, OSError, ValueError):
        return NO_ANSWER


def urls_check(
    urls, *, timeout: float = DEFAULT_TIMEOUT, workers: int = DEFAULT_WORKERS, context=None
) -> dict[str, int]:
    """{url: status} for each distinct URL, at most `workers` requests at a time."""
    distinct = list(dict.fromkeys(urls))
    if not distinct:
        return {}
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(distinct)))) as pool:
        statuses = pool.map(lambda u: url_status(u, timeout=timeout, context=context), distinct)
        return dict(zip(distinct, statuses, strict=True))


@dataclass
class LinkReport:
    checked: int = 0
    broken: dict[str, int] = field(default_factory=dict)  # url -> status

    def summary(self) -> str:
        return f"checked {self.checked} links; {len(self.broken)} broken"


def resource_links_check(
    *, timeout: float = DEFAULT_TIMEOUT, workers: int = DEFAULT_WORKERS, cafile: str | None = None
) -> LinkReport:
    """Fetch every resource's URL and record its status and the time on every row with it.
    `cafile` adds certificate authorities to trust (a proxy's, or a test server's)."""
    context = ssl.create_default_context(cafile=cafile) if cafile else None
    urls = Resource.objects.values_list("url", flat=True).distinct()
    statuses = urls_check(list(urls), timeout=timeout, workers=workers, context=context)
    now = timezone.now()
    report = LinkReport(checked=len(statuses))
    for url, status in statuses.items():
        Resource.objects.filter(url=url).update(last_status=status, last_checked_at=now)
        if not 200 <= status < 300:
            report.broken[url] = status
    return report
