"""The prefect.yaml of ``init-project``: written as ``prefect init`` writes it, or merged."""

from __future__ import annotations

import importlib.metadata
import subprocess
from pathlib import Path
from typing import Any

from ..errors import Location, Nb2FlowError
from .model import TOP_ORDER, FileChange, InitOptions, finish, read_file

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


def prefect_version() -> str:
    """The installed Prefect's version, read from its metadata (prefect is not imported)."""
    try:
        return importlib.metadata.version("prefect")
    except importlib.metadata.PackageNotFoundError:
        raise Nb2FlowError("NB2F012", "prefect is not installed; pip install prefect") from None

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

def _dump_key(key: str, value: Any) -> str:
    from .. import yamlrt

    return yamlrt.dump({key: value}, yamlrt.Style(mapping=2, sequence=2, offset=0))


def new_prefect_yaml(name: str, version: str, pull: list) -> str:
    """The text ``prefect init`` writes, with ``deployments: []``."""
    parts = [_HEADER, _SECTION_COMMENTS["name"], _dump_key("name", name),
             _dump_key("prefect-version", version), "\n"]
    for key, value in (("build", None), ("push", None), ("pull", pull)):
        parts += [_SECTION_COMMENTS[key], _dump_key(key, value), "\n"]
    parts += [_SECTION_COMMENTS["deployments"], "deployments: []\n"]
    return "".join(parts)


def prefect_yaml_change(path: Path, options: InitOptions) -> FileChange:
    from .. import yamlrt

    directory = options.directory
    old = read_file(path)
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
    return finish(path, old, yamlrt.dump(doc, style), conflicts, options.force, notes)


def _yaml_steps(steps: list) -> Any:
    from .. import yamlrt

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
