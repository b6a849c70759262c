"""``nb2flow init-project``: the files a project needs to deploy its flows with Prefect.

Writes what ``prefect init --recipe local|git`` writes, without a server and without
importing prefect (``prefect.yaml`` and ``.prefectignore``), plus nb2flow's own: a
``[tool.nb2flow]`` table in ``pyproject.toml`` and the nb2flow hook in
``.pre-commit-config.yaml``.

Every file is merged, never overwritten: missing keys are added (tomlkit and ruamel.yaml
round trips keep everything else byte for byte), a value the user already has is kept.
Only an option given on the command line that differs from what a file says
(``--name``, ``--pool``, ``--recipe``/``--repo``/``--branch``) is a conflict: reported
with the diff that ``--force`` would apply. Running it twice changes nothing.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import Location, Nb2FlowError
from .repo import git_root
from .textdiff import unified_diff

NB2FLOW_REPO = "https://github.com/nb2flow/nb2flow"
HOOK_IDS = ("nb2flow", "nb2flow-check")
DEFAULT_NOTEBOOKS = ["**/*.ipynb"]
DEFAULT_POOL = "default"  # the default of [tool.nb2flow] work_pool (nb2flow.config)
RECIPES = ("local", "git")
TOP_ORDER = ("name", "prefect-version", "build", "push", "pull", "deployments")

# The comments `prefect init` writes (prefect/deployments/base.py,
# create_default_prefect_yaml), so the file reads the same as Prefect's own.
_HEADER = (
    "---\n"
    "# Welcome to your prefect.yaml file! You can use this file for\n"
    "# storing and managing configuration for deploying your flows.\n"
    "# We recommend committing this file to source control along\n"
    "# with your flow code.\n\n"
)
_SECTION_COMMENTS = {
    "name": "# Generic metadata about this project\n",
    "build": "# build section allows you to manage and build docker images\n",
    "push": "# push section allows you to manage if and how this project\n"
            "# is uploaded to remote locations\n",
    "pull": "# pull section allows you to provide instructions for cloning\n"
            "# this project in remote locations\n",
    "deployments": "# the deployments section allows you to provide configuration\n"
                   "# for deploying flows\n",
}


@dataclass(frozen=True)
class InitOptions:
    directory: Path = Path(".")
    name: str | None = None  # project name (default: the folder's name)
    pool: str | None = None  # work pool (default: [tool.nb2flow] work_pool or "default")
    recipe: str | None = None  # local or git (default: the existing pull step, or local)
    repo: str | None = None  # git recipe: repository URL (default: remote origin)
    branch: str | None = None  # git recipe: branch (default: the current one, or main)
    force: bool = False  # apply conflicting options over what the files say


@dataclass
class FileChange:
    """What init-project does (or did) to one file.

    ``status``: created, updated (keys added), unchanged, kept (a conflict left as the
    user has it; ``--force`` applies it), forced (a conflict applied with ``--force``).
    When any file is ``kept``, no file is written.
    """

    path: Path
    status: str
    text: str = ""  # the new content
    diff: str = ""  # unified diff from the old content (updated, kept, forced)
    notes: list[str] = field(default_factory=list)


@dataclass
class InitResult:
    changes: list[FileChange]
    pool: str
    problems: list = field(default_factory=list)  # nb2flow.deployment.Problem

    @property
    def conflicts(self) -> bool:
        return any(c.status == "kept" for c in self.changes)

    @property
    def failed(self) -> bool:
        """Whether the exit status is 1: nothing written for a conflict, or problems
        found in prefect.yaml."""
        return self.conflicts or bool(self.problems)


# ------------------------------------------------------------------------------ values


def prefect_version() -> str:
    """The installed Prefect's version, read from its metadata (prefect is not imported)."""
    try:
        return importlib.metadata.version("prefect")
    except importlib.metadata.PackageNotFoundError:
        raise Nb2FlowError("NB2F012", "prefect is not installed; pip install prefect") from None


def default_prefectignore() -> str:
    """Prefect's default ``.prefectignore`` (the file ``prefect init`` copies)."""
    spec = importlib.util.find_spec("prefect")  # finds the package without importing it
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / ".prefectignore"
        if path.is_file():
            return path.read_text(encoding="utf-8")
    raise Nb2FlowError("NB2F012", "cannot find Prefect's default .prefectignore; is prefect "
                       "installed?")


def _git(directory: Path, *args: str) -> str | None:
    try:
        proc = subprocess.run(["git", "-C", str(directory), *args], capture_output=True,
                              text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    out = proc.stdout.strip()
    return out if proc.returncode == 0 and out else None


def pull_steps(recipe: str, directory: Path, repo: str | None, branch: str | None) -> list:
    """The pull section of Prefect's ``local`` or ``git`` recipe
    (prefect/deployments/recipes/<recipe>/prefect.yaml)."""
    if recipe == "local":
        return [{"prefect.deployments.steps.set_working_directory": {
            "directory": str(directory.resolve())}}]
    repo = repo or _git(directory, "remote", "get-url", "origin")
    if not repo:
        raise Nb2FlowError("NB2F012", "--recipe git needs --repo URL (no git remote "
                           f"'origin' in {directory})")
    branch = branch or _git(directory, "symbolic-ref", "--short", "HEAD")  # unborn too
    if not branch or branch == "HEAD":
        branch = "main"
    return [{"prefect.deployments.steps.git_clone": {
        "repository": repo, "branch": branch, "access_token": None}}]


# -------------------------------------------------------------------------------- plan


def plan(options: InitOptions) -> InitResult:
    """Compute every file's new content; write nothing."""
    directory = options.directory
    if directory.exists() and not directory.is_dir():
        raise Nb2FlowError("NB2F010", "not a directory", Location(str(directory)))
    if options.recipe is not None and options.recipe not in RECIPES:
        raise Nb2FlowError("NB2F012", f"--recipe {options.recipe!r}: use local or git")
    if (options.repo or options.branch) and options.recipe == "local":
        raise Nb2FlowError("NB2F012", "--repo and --branch go with --recipe git")
    pyproject, pool = _pyproject(directory / "pyproject.toml", options)
    precommit_dir = git_root(directory)
    changes = [
        _prefect_yaml(directory / "prefect.yaml", options),
        _prefectignore(directory / ".prefectignore"),
        pyproject,
        _precommit((precommit_dir or directory) / ".pre-commit-config.yaml"),
    ]
    return InitResult(changes, pool)


def init_project(options: InitOptions) -> InitResult:
    """Create or merge the project files, then validate prefect.yaml."""
    from .deployment import validate
    from .write import check_target, write_atomic

    result = plan(options)
    prefect_yaml = options.directory / "prefect.yaml"
    result.problems = validate(prefect_yaml, result.changes[0].text)
    if result.conflicts:  # all or nothing: the user decides first (or passes --force)
        return result
    for change in result.changes:
        if change.status in ("created", "updated", "forced"):
            if change.path.is_symlink() or change.path.is_dir():
                check_target(change.path, False)  # raises NB2F010
            write_atomic(change.path, change.text)
    return result


def _finish(path: Path, old: str | None, new: str, conflicts: list[str],
            force: bool, notes: list[str] | None = None) -> FileChange:
    """The change for a file: ``new`` holds the additions, plus conflicts if forced."""
    notes = list(notes or [])
    if old is None:
        return FileChange(path, "created", new, notes=notes)
    if conflicts and not force:
        return FileChange(path, "kept", old, unified_diff(path, old, new), notes + conflicts)
    if new == old:
        return FileChange(path, "unchanged", old, notes=notes)
    return FileChange(path, "forced" if conflicts else "updated", new, unified_diff(path, old, new),
                      notes + conflicts)


def _read(path: Path) -> str | None:
    if not path.exists():
        return None
    if path.is_dir():
        raise Nb2FlowError("NB2F010", "is a directory", Location(str(path)))
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise Nb2FlowError("NB2F010", f"cannot read: {exc}", Location(str(path))) from None


# ------------------------------------------------------------------------ prefect.yaml


def _dump_key(key: str, value: Any) -> str:
    from . import yamlrt

    return yamlrt.dump({key: value}, yamlrt.Style(mapping=2, sequence=2, offset=0))


def new_prefect_yaml(name: str, version: str, pull: list) -> str:
    """The text ``prefect init`` writes, with ``deployments: []``."""
    parts = [_HEADER, _SECTION_COMMENTS["name"], _dump_key("name", name),
             _dump_key("prefect-version", version), "\n"]
    for key, value in (("build", None), ("push", None), ("pull", pull)):
        parts += [_SECTION_COMMENTS[key], _dump_key(key, value), "\n"]
    parts += [_SECTION_COMMENTS["deployments"], "deployments: []\n"]
    return "".join(parts)


def _prefect_yaml(path: Path, options: InitOptions) -> FileChange:
    from . import yamlrt

    directory = options.directory
    old = _read(path)
    recipe_given = options.recipe is not None or bool(options.repo or options.branch)
    recipe = options.recipe or ("git" if options.repo or options.branch else "local")
    if old is None:
        name = options.name or directory.resolve().name
        pull = pull_steps(recipe, directory, options.repo, options.branch)
        return FileChange(path, "created", new_prefect_yaml(name, prefect_version(), pull))
    try:
        doc, style = yamlrt.load(old)
    except yamlrt.YamlSyntaxError as exc:
        raise Nb2FlowError("NB2F014", f"not valid YAML: {exc}; fix it first",
                           Location(f"{path}:{exc.line}" if exc.line else str(path))) from None
    if doc is None:
        doc = yamlrt.block_map()
    if not isinstance(doc, dict):
        raise Nb2FlowError("NB2F014", "the top level is not a mapping; fix it first",
                           Location(f"{path}:1"))
    notes = _stale_directory(doc.get("pull"), path) if not recipe_given else []
    conflicts: list[str] = []
    if options.name is not None and "name" in doc and doc["name"] != options.name:
        conflicts.append(f"name: the file says {doc['name']!r}, --name says "
                         f"{options.name!r}")
        yamlrt.set_value(doc, "name", options.name)
    wanted: dict[str, Any] = {
        "name": options.name or directory.resolve().name,
        "prefect-version": prefect_version(),
        "build": None,
        "push": None,
        "pull": None,
        "deployments": yamlrt.flow_seq([]),
    }
    if "pull" not in doc or recipe_given:
        pull = pull_steps(recipe, directory, options.repo, options.branch)
        wanted["pull"] = _yaml_steps(pull)
        if "pull" in doc and _plain(doc["pull"]) != pull:
            conflicts.append(f"pull: the file's pull steps differ from the {recipe} recipe")
            yamlrt.set_value(doc, "pull", _yaml_steps(pull))
    for key in TOP_ORDER:  # missing keys go after the key that comes before them
        if key not in doc:
            earlier = [k for k in TOP_ORDER[:TOP_ORDER.index(key)] if k in doc]
            later = [k for k in TOP_ORDER[TOP_ORDER.index(key) + 1:] if k in doc]
            position = (list(doc).index(earlier[-1]) + 1 if earlier
                        else list(doc).index(later[0]) if later else len(doc))
            yamlrt.insert_key(doc, position, key, wanted[key])
    # with a conflict and no --force, nothing is written; the diff shows what --force does
    return _finish(path, old, yamlrt.dump(doc, style), conflicts, options.force, notes)


def _yaml_steps(steps: list) -> Any:
    from . import yamlrt

    return yamlrt.block_seq([
        yamlrt.block_map({k: yamlrt.block_map(v) for k, v in step.items()}) for step in steps
    ])


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _stale_directory(pull: Any, path: Path) -> list[str]:
    """A local recipe's working directory that does not exist on this machine."""
    for step in pull if isinstance(pull, list) else []:
        if not isinstance(step, dict):
            continue
        args = step.get("prefect.deployments.steps.set_working_directory")
        directory = args.get("directory") if isinstance(args, dict) else None
        if isinstance(directory, str) and "{{" not in directory \
                and not Path(directory).is_dir():
            return [f"pull: set_working_directory {directory!r} does not exist here; "
                    "`nb2flow init-project --recipe local --force` points it at this "
                    f"folder ({path.parent.resolve()})"]
    return []


# ----------------------------------------------------------------------- .prefectignore


def _prefectignore(path: Path) -> FileChange:
    old = _read(path)
    if old is None:
        return FileChange(path, "created", default_prefectignore())
    return FileChange(path, "unchanged", old)  # the user's ignore rules: never replaced


# ------------------------------------------------------------------------ pyproject.toml


def _pyproject(path: Path, options: InitOptions) -> tuple[FileChange, str]:
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    old = _read(path)
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
        return _finish(path, old, new, [], options.force), options.pool or DEFAULT_POOL
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
    return _finish(path, old, tomlkit.dumps(doc), conflicts, options.force), pool


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


def _precommit(path: Path) -> FileChange:
    from . import yamlrt

    old = _read(path)
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
    return _finish(path, old, yamlrt.dump(doc, style), [], False)


def _is_nb2flow(repo: Any) -> bool:
    """An entry that already runs nb2flow: its repository, or a hook with its id."""
    if not isinstance(repo, dict):
        return False
    url = str(repo.get("repo", "")).rstrip("/").removesuffix(".git").lower()
    if url == NB2FLOW_REPO.lower():
        return True
    hooks = repo.get("hooks") or []
    return any(isinstance(h, dict) and h.get("id") in HOOK_IDS for h in hooks)


# -------------------------------------------------------------------------- next steps


def next_steps(directory: Path, pool: str) -> list[str]:
    here = Path.cwd().resolve()
    target = directory.resolve()
    cd = "" if target == here else f"cd {directory} && "
    return [
        "Next steps:",
        "  1. Start a Prefect server (in another terminal) and point the CLI at it (the",
        "     first line turns off the server's telemetry, noisy on a local server):",
        "       prefect config set PREFECT_SERVER_ANALYTICS_ENABLED=false",
        "       prefect server start",
        "       prefect config set PREFECT_API_URL=http://127.0.0.1:4200/api",
        "  2. Create the work pool:",
        f"       prefect work-pool create {pool} --type process",
        "  3. Convert a notebook; its deployment is added to prefect.yaml:",
        "       nb2flow convert path/to/notebook.ipynb",
        "  4. Register the deployments with the server:",
        f"       {cd}prefect deploy --all",
        "  5. Start a worker that runs the flows:",
        f"       prefect worker start --pool {pool}",
        "  6. Run a deployment (or let its schedule run it):",
        "       prefect deployment run 'FLOW-NAME/DEPLOYMENT-NAME'",
    ]
