"""The other files of ``init-project``: .prefectignore, ``[tool.nb2flow]`` in
pyproject.toml and the nb2flow hook in .pre-commit-config.yaml."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from ..errors import Location, Nb2FlowError
from .model import (DEFAULT_NOTEBOOKS, DEFAULT_POOL, HOOK_IDS, NB2FLOW_REPO, FileChange,
                    InitOptions, finish, read_file)

def default_prefectignore() -> str:
    """Prefect's default ``.prefectignore`` (the file ``prefect init`` copies)."""
    spec = importlib.util.find_spec("prefect")  # finds the package without importing it
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / ".prefectignore"
        if path.is_file():
            return path.read_text(encoding="utf-8")
    raise Nb2FlowError("NB2F012", "cannot find Prefect's default .prefectignore; is prefect "
                       "installed?")


def prefectignore_change(path: Path) -> FileChange:
    old = read_file(path)
    if old is None:
        return FileChange(path, "created", default_prefectignore())
    return FileChange(path, "unchanged", old)  # the user's ignore rules: never replaced


# ------------------------------------------------------------------------ pyproject.toml


def pyproject_change(path: Path, options: InitOptions) -> tuple[FileChange, str]:
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    old = read_file(path)
    try:
        doc = tomlkit.parse(old) if old is not None else tomlkit.document()
    except TOMLKitError as exc:
        raise Nb2FlowError("NB2F012", f"cannot parse: {exc}", Location(str(path))) from None
    tool = doc.get("tool")
    if tool is None:
        tool = tomlkit.table(is_super_table=True)
        doc.add("tool", tool)
    table = tool.get("nb2flow")
    if table is None:
        table = tomlkit.table()
        table.add(tomlkit.comment("Notebooks the nb2flow pre-commit hook converts (globs "
                                  "relative to this file)."))
        table.add("notebooks", DEFAULT_NOTEBOOKS)
        table.add(tomlkit.comment("Work pool of the deployments `nb2flow convert` writes to "
                                  "prefect.yaml."))
        table.add("work_pool", options.pool or DEFAULT_POOL)
        tool.add("nb2flow", table)
        new = tomlkit.dumps(doc)
        return finish(path, old, new, [], options.force), options.pool or DEFAULT_POOL
    keys = {str(k).replace("-", "_"): k for k in table}
    conflicts: list[str] = []
    if "notebooks" not in keys:
        table.add("notebooks", DEFAULT_NOTEBOOKS)
    if "work_pool" not in keys:
        table.add("work_pool", options.pool or DEFAULT_POOL)
        pool = options.pool or DEFAULT_POOL
    else:
        current = table[keys["work_pool"]]
        pool = str(current)
        if options.pool is not None and current != options.pool:
            conflicts.append(f"[tool.nb2flow] work_pool: the file says {str(current)!r}, "
                             f"--pool says {options.pool!r}")
            table[keys["work_pool"]] = options.pool
            if options.force:
                pool = options.pool
    # with a conflict and no --force, nothing is written; the diff shows what --force does
    return finish(path, old, tomlkit.dumps(doc), conflicts, options.force), pool


# --------------------------------------------------------------- .pre-commit-config.yaml


def precommit_entry() -> dict:
    """The nb2flow hook as a ``repo: local`` hook running the project's own nb2flow.

    No released tag is named (nb2flow publishes none yet), and the hook converts with the
    very nb2flow you convert with by hand: the stamp's fingerprint includes nb2flow's
    version, so a hook with another version would rewrite every script.
    """
    return {"repo": "local", "hooks": [{
        "id": "nb2flow", "name": "nb2flow (regenerate flow scripts from notebooks)",
        "entry": "nb2flow convert --hook", "language": "system",
        "types_or": ["jupyter", "python"],
    }]}


def precommit_change(path: Path) -> FileChange:
    from .. import yamlrt

    old = read_file(path)
    entry = precommit_entry()
    if old is None:
        style = yamlrt.Style(mapping=2, sequence=4, offset=2)
        text = ("# pre-commit hooks (https://pre-commit.com): `pre-commit install`, then every "
                "commit\n# regenerates the flow scripts of changed notebooks with the nb2flow "
                "of this\n# environment (the one you convert with by hand).\n")
        hooks = [yamlrt.block_map({k: yamlrt.flow_seq(v) if isinstance(v, list) else v
                                   for k, v in h.items()}) for h in entry["hooks"]]
        entry = yamlrt.block_map({"repo": entry["repo"], "hooks": yamlrt.block_seq(hooks)})
        return FileChange(path, "created", text + yamlrt.dump({"repos": [entry]}, style))
    try:
        doc, style = yamlrt.load(old, yamlrt.Style(mapping=2, sequence=4, offset=2))
    except yamlrt.YamlSyntaxError as exc:
        raise Nb2FlowError("NB2F012", f"not valid YAML: {exc}; fix it first",
                           Location(f"{path}:{exc.line}" if exc.line else str(path))) from None
    if doc is None:
        doc = yamlrt.block_map()
    if not isinstance(doc, dict) or not isinstance(doc.get("repos", []), list):
        raise Nb2FlowError("NB2F012", "expected a mapping with a `repos:` list; fix it first",
                           Location(str(path)))
    repos = doc.get("repos")
    if repos is None:
        repos = doc["repos"] = yamlrt.block_seq()
    if any(_is_nb2flow(repo) for repo in repos):
        return FileChange(path, "unchanged", old)
    if hasattr(repos, "fa"):
        repos.fa.set_block_style()
    yamlrt.append_item(repos, yamlrt.block_map({
        "repo": entry["repo"],
        "hooks": yamlrt.block_seq([yamlrt.block_map(
            {k: yamlrt.flow_seq(v) if isinstance(v, list) else v for k, v in h.items()})
            for h in entry["hooks"]]),
    }))
    return finish(path, old, yamlrt.dump(doc, style), [], False)


def _is_nb2flow(repo: Any) -> bool:
    """An entry that already runs nb2flow: its repository, or a hook with its id."""
    if not isinstance(repo, dict):
        return False
    url = str(repo.get("repo", "")).rstrip("/").removesuffix(".git").lower()
    if url == NB2FLOW_REPO.lower():
        return True
    hooks = repo.get("hooks") or []
    return any(isinstance(h, dict) and h.get("id") in HOOK_IDS for h in hooks)
