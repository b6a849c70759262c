"""``[tool.nb2flow]`` settings from the nearest ``pyproject.toml``.

The table holds settings for every notebook of the project, and per-notebook tables
``[tool.nb2flow.per-notebook."path/to/notebook.ipynb"]`` (the path relative to the
pyproject.toml folder) hold the options of one notebook: what ``convert`` records when it
is given options on the command line (:func:`record`), so that every later conversion
(plain ``convert``, ``--check``, the pre-commit hook) writes the same script.

Command-line options override these settings. Unknown keys are an error (NB2F012) so
a typo never silently does nothing.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from fnmatch import fnmatchcase
from pathlib import Path

from .errors import Location, Nb2FlowError
from .repo import find_upward, git_root


@dataclass(frozen=True)
class Settings:
    notebooks: tuple[str, ...] = ()  # globs of notebooks the pre-commit hook converts
    keep_exploration: bool = False
    keep_experiments: bool = False  # models trained and never saved, searches, zoos
    parameters: tuple[str, ...] = ()  # extra variable names to make flow parameters
    work_pool: str = "default"
    tags: tuple[str, ...] = ()
    cron: str | None = None
    interval: int | None = None
    timezone: str | None = None  # of the cron/interval schedule (IANA name)
    deployment_name: str | None = None  # the deployment's name (default: the flow's)
    secrets: str = "block"  # "block" or "env"
    # the options of convert that shape the script (usually per notebook)
    flow_name: str | None = None
    sequential: bool = False
    subflows: bool = False
    drop_plots: str = "unsaved"
    task_runner: str = "threads"
    cache: bool = False
    cache_expiration: str | None = None
    date_params: bool = False
    scheduled_month: str = "previous"  # "previous" or "current": --date-params on a schedule
    data_dir: bool = False
    notify: tuple[str, ...] = ()
    notify_block: str | None = None
    notify_to: tuple[str, ...] = ()
    root: Path | None = field(default=None, compare=False)  # folder of the pyproject.toml
    path: Path | None = field(default=None, compare=False)  # the pyproject.toml
    notebook_key: str | None = field(default=None, compare=False)  # its per-notebook key
    recorded: bool = field(default=False, compare=False)  # the notebook has its own table

    def selects(self, notebook: Path) -> bool:
        """Whether a ``notebooks`` glob, relative to the pyproject.toml folder, matches.

        Glob rules as in ``Path.glob``: ``*`` stays inside one folder, ``**`` spans any
        number of folders (``notebooks/**/*.ipynb``).
        """
        if self.root is None or not self.notebooks:
            return False
        try:
            parts = notebook.resolve().relative_to(self.root.resolve()).parts
        except ValueError:  # outside the project
            return False
        return any(
            _glob_match([p for p in pattern.split("/") if p not in ("", ".")], parts)
            for pattern in self.notebooks
        )


def _glob_match(pattern: list[str], parts: tuple[str, ...]) -> bool:
    if not pattern:
        return not parts
    head, rest = pattern[0], pattern[1:]
    if head == "**":
        return any(_glob_match(rest, parts[i:]) for i in range(len(parts) + 1))
    return bool(parts) and fnmatchcase(parts[0], head) and _glob_match(rest, parts[1:])


_TYPES = {f.name: f.type for f in fields(Settings)
          if f.name not in ("root", "path", "notebook_key", "recorded")}
#: Keys of a per-notebook table: everything but the list of notebooks.
NOTEBOOK_KEYS = tuple(k for k in _TYPES if k != "notebooks")
PER_NOTEBOOK = "per-notebook"
_CHOICES = {
    "secrets": ("block", "env"),
    "drop_plots": ("unsaved", "all"),
    "task_runner": ("threads", "dask", "ray"),
    "scheduled_month": ("previous", "current"),
}


def find_pyproject(start: Path) -> Path | None:
    return find_upward(start.resolve(), "pyproject.toml")


def notebook_key(notebook: Path, root: Path) -> str | None:
    """The notebook's key in ``per-notebook``: its path relative to ``root``, posix."""
    for a, b in ((notebook.absolute(), root.absolute()), (notebook.resolve(), root.resolve())):
        try:
            return a.relative_to(b).as_posix()
        except ValueError:
            continue
    return None


def load_settings(start: Path) -> Settings:
    """The settings for a folder, or for a notebook (with its per-notebook table)."""
    is_notebook = not start.is_dir()
    path = find_pyproject(start.parent if is_notebook else start)
    if path is None:
        return Settings()
    table = _table(path)
    values = _values(table, path, "[tool.nb2flow]", skip=(PER_NOTEBOOK, "per_notebook"))
    key = notebook_key(start, path.parent) if is_notebook else None
    per = table.get(PER_NOTEBOOK, table.get("per_notebook", {}))
    if not isinstance(per, dict):
        raise Nb2FlowError("NB2F012", f"[tool.nb2flow.{PER_NOTEBOOK}] should be a table of "
                           "notebook paths", Location(str(path)))
    for name, own in per.items():  # every table is checked, not only this notebook's
        if not isinstance(own, dict):
            raise Nb2FlowError("NB2F012", f"[tool.nb2flow.{PER_NOTEBOOK}] {name!r} should "
                               "be a table", Location(str(path)))
        where = f'[tool.nb2flow.{PER_NOTEBOOK}."{name}"]'
        mine = _values(own, path, where, allowed=NOTEBOOK_KEYS)
        if name == key:
            values["recorded"] = True
            parameters = (*values.get("parameters", ()), *mine.get("parameters", ()))
            values.update(mine)
            if parameters:  # parameters add to the project's
                values["parameters"] = tuple(dict.fromkeys(parameters))
    return Settings(root=path.parent, path=path, notebook_key=key, **values)


def _table(path: Path) -> dict:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise Nb2FlowError("NB2F012", f"cannot read: {exc}", Location(str(path))) from None
    table = data.get("tool", {}).get("nb2flow", {})
    if not isinstance(table, dict):
        raise Nb2FlowError("NB2F012", "[tool.nb2flow] should be a table", Location(str(path)))
    return table


def _values(table: dict, path: Path, where: str, skip: tuple[str, ...] = (),
            allowed: tuple[str, ...] | None = None) -> dict[str, object]:
    values: dict[str, object] = {}
    for key, value in table.items():
        if key in skip:
            continue
        name = key.replace("-", "_")
        if name not in (allowed if allowed is not None else _TYPES):
            raise Nb2FlowError("NB2F012", f"unknown key {where} {key}", Location(str(path)))
        values[name] = _coerce(name, value, path)
    return values


def record(notebook: Path, changes: dict[str, object]) -> Path | None:
    """Write ``changes`` into the notebook's per-notebook table; return the file if changed.

    A value that equals what the project's settings give is removed from the table rather
    than written (so the table holds only what is particular to the notebook); an emptied
    table is removed. Without a pyproject.toml (up to the git root), one is created at the
    git root, or beside the notebook outside a repository. Edited with tomlkit: comments,
    order and formatting of the file are kept.
    """
    import tomlkit

    path = find_pyproject(notebook.parent)
    if path is None:
        path = _git_root(notebook.parent) / "pyproject.toml"
        old = ""
    else:
        old = path.read_text(encoding="utf-8")
    project = load_settings(path.parent)  # without any per-notebook table
    key = notebook_key(notebook, path.parent)
    if key is None:  # cannot happen: the pyproject.toml is above the notebook
        return None
    doc = tomlkit.parse(old)
    tool = doc.setdefault("tool", tomlkit.table(is_super_table=True))
    table = tool.setdefault("nb2flow", tomlkit.table())
    name = next((k for k in (PER_NOTEBOOK, "per_notebook") if k in table), PER_NOTEBOOK)
    per = table.setdefault(name, tomlkit.table(is_super_table=True))
    own = per.setdefault(key, tomlkit.table())
    names = {k.replace("-", "_"): k for k in own}
    for option, value in changes.items():
        if option == "parameters":
            mine = [*own.get(names.get(option, option), ()), *value]
            value = tuple(p for p in dict.fromkeys(mine) if p not in project.parameters)
        if isinstance(value, tuple):
            value = list(value)
        default = getattr(project, option)
        same = value == (list(default) if isinstance(default, tuple) else default)
        if same or value is None or value == []:
            if option in names:
                del own[names[option]]
            continue
        own[names.get(option, option)] = value
    if not own:
        del per[key]
    if not per:
        del table[name]
    if not old and not table:
        return None  # nothing particular to this notebook: no file to create
    new = _blank_line_after(tomlkit.dumps(doc), f"[tool.nb2flow.{name}.")
    if new == old:
        return None
    from .write import write_atomic

    write_atomic(path, new)
    return path


def _blank_line_after(text: str, prefix: str) -> str:
    """A blank line between a per-notebook table and the table after it (tomlkit appends
    new keys at the very end of a table, so the blank line is restored here)."""
    lines = text.split("\n")
    inside = False
    for i, line in enumerate(lines):
        if line.startswith("["):
            if inside and i and lines[i - 1].strip():
                lines.insert(i, "")
                return _blank_line_after("\n".join(lines), prefix)
            inside = line.startswith(prefix)
    return "\n".join(lines)


def _git_root(folder: Path) -> Path:
    return git_root(folder) or folder.resolve()


def _coerce(name: str, value: object, path: Path) -> object:
    kind = str(_TYPES[name])
    ok = (
        (kind.startswith("tuple") and isinstance(value, list)
         and all(isinstance(v, str) for v in value))
        or (kind == "bool" and isinstance(value, bool))
        or (kind.startswith("str") and isinstance(value, str))
        or (kind.startswith("int") and isinstance(value, int) and not isinstance(value, bool))
    )
    if not ok:
        raise Nb2FlowError(
            "NB2F012", f"[tool.nb2flow] {name} should be {kind}, not {value!r}",
            Location(str(path)),
        )
    if name in _CHOICES and value not in _CHOICES[name]:
        a, b = _CHOICES[name][:-1], _CHOICES[name][-1]
        raise Nb2FlowError("NB2F012", f"[tool.nb2flow] {name} is "
                           f"{', '.join(repr(c) for c in a)} or {b!r}", Location(str(path)))
    return tuple(value) if isinstance(value, list) else value
