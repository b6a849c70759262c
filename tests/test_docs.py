"""The documentation site builds, lists every page, and shows what the code does today.

The CLI reference (docs/reference/cli.md) and the examples (docs/generated/) are generated
from the code by docs/gen_cli_reference.py and docs/gen_examples.py; these tests regenerate
them and compare, so a change to the CLI or to the converter's output that is not reflected
in the docs fails here with the command that fixes it.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from nb2flow.errors import CATALOG, WARNINGS

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SNIPPET = re.compile(r'^\s*--8<-- "([^"]+)"\s*$', re.M)


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, DOCS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def _pages() -> list[Path]:
    """Markdown pages of the site (the snippets under docs/generated are not pages)."""
    return sorted(p for p in DOCS.rglob("*.md") if "generated" not in p.relative_to(DOCS).parts)


def _nav() -> list[str]:
    text = (ROOT / "mkdocs.yml").read_text()
    nav = text[text.index("\nnav:"):]
    return re.findall(r":\s*(\S+\.md)\s*$", nav, re.M)


def test_cli_reference_is_up_to_date() -> None:
    committed = (DOCS / "reference" / "cli.md").read_text(encoding="utf-8")
    assert _load("gen_cli_reference").render() == committed, (
        "docs/reference/cli.md is out of date: run python docs/gen_cli_reference.py"
    )


def test_cli_reference_lists_every_command() -> None:
    import typer.main

    from nb2flow.cli import app

    text = (DOCS / "reference" / "cli.md").read_text(encoding="utf-8")
    for name in typer.main.get_command(app).commands:
        assert f"\n## nb2flow {name}\n" in text, name


def test_nav_lists_every_page_and_only_existing_ones() -> None:
    nav = _nav()
    pages = {p.relative_to(DOCS).as_posix() for p in _pages()}
    assert sorted(set(nav) - pages) == [], "nav entries without a page"
    assert sorted(pages - set(nav)) == [], "pages missing from the nav in mkdocs.yml"


def test_snippets_exist() -> None:
    missing = [(page.name, path) for page in _pages()
               for path in SNIPPET.findall(page.read_text(encoding="utf-8"))
               if not (ROOT / re.sub(r"(:\d+)+$", "", path)).is_file()]  # file.md:3 = from line 3
    assert missing == [], "run python docs/gen_examples.py"


@pytest.mark.parametrize("code", sorted(CATALOG) + sorted(WARNINGS))
def test_error_entry_shows_a_real_example(code: str) -> None:
    """Each catalogue entry includes the output of a run that raised exactly that code."""
    page = (DOCS / "errors.md").read_text(encoding="utf-8")
    title = CATALOG[code][0] if code in CATALOG else WARNINGS[code]
    entry = re.search(rf"^## {re.escape(f'{code} {title}')}\n.*?(?=^#{{1,2}} )",
                      page + "\n## END", re.M | re.S)
    assert entry, f"docs/errors.md has no heading '## {code} {title}'"
    snippet = f"docs/generated/errors/{code}.md"
    assert f'--8<-- "{snippet}"' in entry.group(0)
    example = (ROOT / snippet).read_text(encoding="utf-8")
    assert code in example.split("```console", 1)[1], f"the run in {snippet} did not report {code}"


def test_readme_links_the_documentation() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Documentation"):]
    assert "(docs/index.md)" in section


@pytest.mark.slow
def test_generated_examples_are_up_to_date() -> None:
    gen = _load("gen_examples")
    fresh = gen.generate()
    stale = sorted(name for name, text in fresh.items()
                   if not (gen.OUT / name).is_file()
                   or (gen.OUT / name).read_text(encoding="utf-8") != text)
    extra = sorted({p.relative_to(gen.OUT).as_posix() for p in gen.OUT.rglob("*.md")}
                   - set(fresh))
    assert stale == [] and extra == [], (
        f"docs/generated is out of date ({', '.join(stale + extra)}): "
        "run python docs/gen_examples.py"
    )


@pytest.mark.slow
def test_mkdocs_build_strict(tmp_path: Path) -> None:
    # Material for MkDocs prints an end-of-life notice on stderr (a print, not a log
    # warning, so --strict ignores it); its documented switch hides it.
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    site = tmp_path / "site"
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "WARNING" not in done.stderr, done.stderr
    index = (site / "index.html").read_text(encoding="utf-8")
    assert 'class="mermaid"' in index  # the task graph renders as a diagram
    assert "tabbed-set" in index  # before/after tabs
    errors = (site / "errors" / "index.html").read_text(encoding="utf-8")
    for code in [*CATALOG, *WARNINGS]:
        assert f'id="{code.lower()}' in errors, code
    cli = (site / "reference" / "cli" / "index.html").read_text(encoding="utf-8")
    assert "Usage: nb2flow convert" in cli
