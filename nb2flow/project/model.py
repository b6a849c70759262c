"""The records of ``init-project``, and how a file's change is decided (``finish``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Location, Nb2FlowError
from ..textdiff import unified_diff

NB2FLOW_REPO = "https://github.com/nb2flow/nb2flow"
HOOK_IDS = ("nb2flow", "nb2flow-check")
DEFAULT_NOTEBOOKS = ["**/*.ipynb"]
DEFAULT_POOL = "default"  # the default of [tool.nb2flow] work_pool (nb2flow.config)
RECIPES = ("local", "git")
TOP_ORDER = ("name", "prefect-version", "build", "push", "pull", "deployments")


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

def finish(path: Path, old: str | None, new: str, conflicts: list[str],
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


def read_file(path: Path) -> str | None:
    if not path.exists():
        return None
    if path.is_dir():
        raise Nb2FlowError("NB2F010", "is a directory", Location(str(path)))
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise Nb2FlowError("NB2F010", f"cannot read: {exc}", Location(str(path))) from None
