"""Golden copies of pages whose markup moved from Python strings into templates: a page rendered
for a fixed fixture on a fixed day is compared, whitespace collapsed, with a stored copy
(tests/roadmap/golden/). Regenerate a copy on purpose with GAPMAP_WRITE_GOLDEN=1, then read
its diff: every change in it must be intended."""

import os
import re
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent / "golden"
CSRF = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+(")')
# The quick add of logged hours carries a new idempotency token on every render.
FORM_TOKEN = re.compile(r'(name="token" value=")[^"]+(")')


def collapse(html: str) -> str:
    """The markup with runs of whitespace made one space, and none between tags."""
    html = CSRF.sub(r"\1CSRF\2", html)
    html = FORM_TOKEN.sub(r"\1TOKEN\2", html)
    html = re.sub(r"\s+", " ", html)
    return re.sub(r">\s+<", "><", html).strip()


def main_region(html: str) -> str:
    """The page's <main>: the header and footer of base.html are other pages' too."""
    start = html.index('<main id="main"')
    return html[start : html.index("</main>", start) + len("</main>")]


def assert_matches_golden(name: str, html: str) -> None:
    path = GOLDEN / f"{name}.html"
    got = collapse(html)
    if os.environ.get("GAPMAP_WRITE_GOLDEN"):
        path.write_text(got.replace("><", ">\n<") + "\n")
    expected = collapse(path.read_text())
    assert got == expected, f"{name}: the markup changed; see tests/roadmap/golden_pages.py"
