"""``[tool.nb2flow]`` settings from the nearest ``pyproject.toml``.

Command-line options override these settings. Unknown keys are an error (NB2F012) so
a typo never silently does nothing.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from fnmatch import fnmatchcase
from pathlib import Path

from .errors import Location, Nb2FlowError


@dataclass(frozen=True)
class Settings:
    notebooks: tuple[str, ...] = ()  # globs of notebooks the pre-commit hook converts
    keep_exploration: bool = False
    parameters: tuple[str, ...] = ()  # extra variable names to make flow parameters
    work_pool: str = "default"
    tags: tuple[str, ...] = ()
    cron: str | None = None
    interval: int | None = None
    timezone: str | None = None  # of the cron/interval schedule (IANA name)
    secrets: str = "block"  # "block" or "env"
    root: Path | None = field(default=None, compare=False)  # folder of the pyproject.toml

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


_TYPES = {f.name: f.type for f in fields(Settings) if f.name != "root"}


def find_pyproject(start: Path) -> Path | None:
    start = start.resolve()
    for folder in [start, *start.parents]:
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
        if (folder / ".git").exists():
            return None
    return None


def load_settings(start: Path) -> Settings:
    path = find_pyproject(start if start.is_dir() else start.parent)
    if path is None:
        return Settings()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise Nb2FlowError("NB2F012", f"cannot read: {exc}", Location(str(path))) from None
    table = data.get("tool", {}).get("nb2flow", {})
    values: dict[str, object] = {}
    for key, value in table.items():
        name = key.replace("-", "_")
        if name not in _TYPES:
            raise Nb2FlowError(
                "NB2F012", f"unknown key [tool.nb2flow] {key}", Location(str(path))
            )
        values[name] = _coerce(name, value, path)
    return Settings(root=path.parent, **values)


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
    if name == "secrets" and value not in ("block", "env"):
        raise Nb2FlowError("NB2F012", "[tool.nb2flow] secrets is 'block' or 'env'",
                           Location(str(path)))
    return tuple(value) if isinstance(value, list) else value
