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

The modules: ``model`` (the records, how a file's change is decided), ``prefect_yaml``
and ``files`` (.prefectignore, pyproject.toml, .pre-commit-config.yaml).
"""

from __future__ import annotations

from pathlib import Path

from ..errors import Location, Nb2FlowError
from ..repo import git_root
from .files import (default_prefectignore, precommit_change, precommit_entry,
                    prefectignore_change, pyproject_change)
from .model import (DEFAULT_NOTEBOOKS, DEFAULT_POOL, HOOK_IDS, NB2FLOW_REPO, RECIPES,
                    TOP_ORDER, FileChange, InitOptions, InitResult)
from .prefect_yaml import new_prefect_yaml, prefect_version, prefect_yaml_change, pull_steps

__all__ = ["DEFAULT_NOTEBOOKS", "DEFAULT_POOL", "HOOK_IDS", "NB2FLOW_REPO", "RECIPES",
           "TOP_ORDER", "FileChange", "InitOptions", "InitResult", "default_prefectignore",
           "init_project", "new_prefect_yaml", "next_steps", "plan", "precommit_entry",
           "prefect_version", "pull_steps"]


def plan(options: InitOptions) -> InitResult:
    """Compute every file's new content; write nothing."""
    directory = options.directory
    if directory.exists() and not directory.is_dir():
        raise Nb2FlowError("NB2F010", "not a directory", Location(str(directory)))
    if options.recipe is not None and options.recipe not in RECIPES:
        raise Nb2FlowError("NB2F012", f"--recipe {options.recipe!r}: use local or git")
    if (options.repo or options.branch) and options.recipe == "local":
        raise Nb2FlowError("NB2F012", "--repo and --branch go with --recipe git")
    pyproject, pool = pyproject_change(directory / "pyproject.toml", options)
    precommit_dir = git_root(directory)
    changes = [
        prefect_yaml_change(directory / "prefect.yaml", options),
        prefectignore_change(directory / ".prefectignore"),
        pyproject,
        precommit_change((precommit_dir or directory) / ".pre-commit-config.yaml"),
    ]
    return InitResult(changes, pool)


def init_project(options: InitOptions) -> InitResult:
    """Create or merge the project files, then validate prefect.yaml."""
    from ..deployment import validate
    from ..write import check_target, write_atomic

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
