"""axe-core in the browser journeys. The script is vendored (tests/e2e/vendor/axe.min.js, axe-core
4.14.1 from npm, MPL-2.0) and evaluated through the DevTools protocol, which the page's Content
Security Policy does not govern, so the page under test runs exactly as it does for users."""

from pathlib import Path

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
BLOCKING = ("serious", "critical")


def axe_violations(page, *, impacts=BLOCKING, context=None) -> list[dict]:
    """axe's violations on the current page at the given impacts, each as
    {"id", "impact", "help", "targets"} so a failing assertion says what to fix."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE)
    result = page.evaluate(
        "async (context) => await axe.run(context || document, {resultTypes: ['violations']})",
        context,
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "targets": [node["target"] for node in v["nodes"]][:5],
        }
        for v in result["violations"]
        if v["impact"] in impacts
    ]
