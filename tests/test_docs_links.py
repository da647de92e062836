"""Every relative link in the README and the docs leads somewhere: to a file of the repository
and, with `#anchor`, to a heading of that file as GitHub names it. Read on GitHub, a broken link
is the first thing a newcomer meets."""

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.pure

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = ("README.md", "CONTRIBUTING.md", "CHANGELOG.md", "docs/**/*.md", "mollie_sandbox/README.md")

FENCE = re.compile(r"^\s*(```|~~~)")
INLINE_CODE = re.compile(r"`(?:[^`\n]|\n(?![ \t]*\n))*`")  # a code span ends with its paragraph
# [text](target) and ![alt](target); the target ends at a space (a title) or the closing bracket.
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)  # https:, mailto:, …


def documents(root: Path = ROOT) -> list[Path]:
    found: set[Path] = set()
    for pattern in DOCUMENTS:
        found.update(path for path in root.glob(pattern) if path.is_file())
    return sorted(found)


def prose_lines(text: str):
    """(line number, line) outside fenced code blocks."""
    in_fence = False
    for number, line in enumerate(text.splitlines(), start=1):
        if FENCE.match(line):
            in_fence = not in_fence
            continue
        if not in_fence:
            yield number, line


def prose(text: str) -> str:
    """The text with fenced blocks and inline code blanked out, lines kept where they were (a
    link's text may run over a line break)."""
    lines = dict(prose_lines(text))
    kept = "\n".join(lines.get(number, "") for number in range(1, len(text.splitlines()) + 1))
    return INLINE_CODE.sub(lambda code: "\n" * code.group().count("\n"), kept)


def github_slug(heading: str) -> str:
    """GitHub's anchor for a heading's text (github-slugger): the rendered text lowercased,
    punctuation removed (letters, digits, `_`, `-` and spaces stay), each space a hyphen."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link's text
    text = text.replace("`", "").lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """The anchors of a Markdown file's headings; a repeated slug gets -1, -2, … as on GitHub."""
    seen: dict[str, int] = {}
    found = set()
    for _, line in prose_lines(path.read_text(encoding="utf-8")):
        match = HEADING.match(line)
        if not match:
            continue
        slug = github_slug(match.group(2))
        if slug in seen:
            seen[slug] += 1
            found.add(f"{slug}-{seen[slug]}")
        else:
            seen[slug] = 0
            found.add(slug)
    return found


def broken_links(path: Path, root: Path = ROOT) -> list[str]:
    """'<file>:<line>: <target> (<why>)' for each relative link of `path` that leads nowhere."""
    broken = []
    text = prose(path.read_text(encoding="utf-8"))
    for link in LINK.finditer(text):
        target, number = link.group(1), text.count("\n", 0, link.start()) + 1
        if EXTERNAL.match(target):
            continue
        file_part, _, anchor = target.partition("#")
        linked = (path.parent / file_part).resolve() if file_part else path
        where = f"{path.relative_to(root)}:{number}: {target}"
        if root.resolve() not in (linked, *linked.parents):
            broken.append(f"{where} (outside the repository)")
        elif not linked.exists():
            broken.append(f"{where} (no such file)")
        elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
            broken.append(f"{where} (no such heading)")
    return broken


def test_every_relative_link_in_the_docs_leads_to_a_file_and_heading_that_exist():
    checked = documents()
    assert {"README.md", "CONTRIBUTING.md", "CHANGELOG.md", "docs/README.md"} <= {
        str(path.relative_to(ROOT)) for path in checked
    }
    broken = [problem for path in checked for problem in broken_links(path)]
    assert not broken, "broken links:\n" + "\n".join(broken)


@pytest.mark.parametrize(
    "heading, slug",
    [
        ("Deploying to AWS Lambda with Zappa", "deploying-to-aws-lambda-with-zappa"),
        ("1. The secret", "1-the-secret"),
        ("What `make run` keeps between runs", "what-make-run-keeps-between-runs"),
        ("Sending e-mail: SES identity, DKIM, production access", "sending-e-mail-ses-identity-dkim-production-access"),
        ("The shop page's copy of the catalog", "the-shop-pages-copy-of-the-catalog"),
        ("Staff pages at 1,000 and 20,000 orders", "staff-pages-at-1000-and-20000-orders"),
        ("`STAFF_SESSION_SECONDS` and [the docs](docs/README.md)", "staff_session_seconds-and-the-docs"),
    ],
)
def test_anchors_are_named_as_github_names_them(heading, slug):
    assert github_slug(heading) == slug


def test_a_missing_file_a_missing_heading_and_a_repeated_heading_are_told_apart(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "guide.md").write_text("# Guide\n\n## Steps\n\n## Steps\n\n```\n## Not a heading\n```\n")
    readme = tmp_path / "README.md"
    readme.write_text(
        "[ok](docs/guide.md#steps), [second](docs/guide.md#steps-1), [web](https://example.com/x.md)\n"
        "[gone](docs/missing.md) and [no heading](docs/guide.md#not-a-heading)\n"
        "`[in code](docs/missing.md)` and [up](../elsewhere.md) and [self](#guide)\n"
        "```\n[in a block](docs/missing.md)\n```\n"
        "a [link over\ntwo lines](docs/gone.md)\n"
    )

    assert broken_links(readme, root=tmp_path) == [
        "README.md:2: docs/missing.md (no such file)",
        "README.md:2: docs/guide.md#not-a-heading (no such heading)",
        "README.md:3: ../elsewhere.md (outside the repository)",
        "README.md:3: #guide (no such heading)",
        "README.md:7: docs/gone.md (no such file)",
    ]
