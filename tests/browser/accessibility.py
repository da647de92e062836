"""axe-core (through axe-playwright-python) on the page a browser shows: WCAG 2.1 A/AA and axe's
best practices, the rules the shop promises to meet."""

from axe_playwright_python.sync_playwright import Axe

RULE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": RULE_TAGS}, "resultTypes": ["violations"]}
_AXE = Axe()


def violations(page) -> list[str]:
    """One line per failing element: the rule, what axe says, and where."""
    found = _AXE.run(page, options=AXE_OPTIONS).response["violations"]
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at {', '.join(map(str, node['target']))}"
        for violation in found
        for node in violation["nodes"]
    ]


class AccessibilityAudit:
    """Visits pages one by one and collects what axe finds on each, so that one run names every
    page with a finding (not only the first); `assert_clean()` at the end fails on any."""

    def __init__(self, page, screenshots=None):
        self.page = page
        self.screenshots = screenshots
        self.findings: dict[str, list[str]] = {}
        self.checked: list[str] = []

    def check(self, name):
        self.page.wait_for_load_state("load")
        self.checked.append(name)
        if self.screenshots is not None:
            self.screenshots(self.page, name)
        if found := violations(self.page):
            self.findings[f"{name} ({self.page.url})"] = found

    def visit(self, name, path, *, status=None):
        response = self.page.goto(path)
        if status is not None:
            assert response is not None and response.status == status, f"{path}: {response and response.status}"
        self.check(name)

    def assert_clean(self):
        report = "\n".join(f"{page}:\n  " + "\n  ".join(lines) for page, lines in self.findings.items())
        assert not self.findings, f"axe-core found violations on {len(self.findings)} page(s):\n{report}"
