"""Run folders: a copy of the working directory per side, and snapshots of its files.

What is not copied: version control, virtual environments, caches, and what ``--exclude``
names. Symlinks to folders are recreated as links to the original (large data folders are
often links); symlinks to files are copied as files.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import shutil
from pathlib import Path

SKIP_DIRS = frozenset({
    ".git", ".hg", ".svn", ".venv", "venv", ".tox", ".nox", "__pycache__",
    ".ipynb_checkpoints", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".hypothesis",
    "node_modules", ".cache",
})
#: Never reported as produced: byte-code and editor state.
NOISE = frozenset({"__pycache__", ".ipynb_checkpoints"})

Snapshot = dict[str, tuple[int, int]]  # relative posix path -> (size, mtime_ns)


def _is_env(path: Path) -> bool:
    return (path / "pyvenv.cfg").is_file() or (path / "conda-meta").is_dir()


def _excluded(rel: str, name: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatch(rel, p.rstrip("/")) or fnmatch.fnmatch(name, p.rstrip("/"))
               for p in patterns)


def copy_tree(src: Path, dst: Path, exclude: tuple[str, ...] = (),
              skip: tuple[Path, ...] = ()) -> int:
    """Copy ``src`` to ``dst`` (which must not exist); return the bytes copied."""
    src = src.resolve()
    skipped = {p.resolve() for p in skip}
    total = 0

    def walk(folder: Path, target: Path) -> None:
        nonlocal total
        target.mkdir(parents=True, exist_ok=True)
        for entry in os.scandir(folder):
            path = Path(entry.path)
            rel = path.relative_to(src).as_posix()
            if path.resolve() in skipped or _excluded(rel, entry.name, exclude):
                continue
            if entry.is_dir(follow_symlinks=False):
                if entry.name in SKIP_DIRS or _is_env(path):
                    continue
                walk(path, target / entry.name)
            elif entry.is_symlink() and path.is_dir():
                os.symlink(path.resolve(), target / entry.name, target_is_directory=True)
            elif entry.is_file():  # a file, or a link to one: copied
                shutil.copy2(path, target / entry.name)
                total += entry.stat().st_size

    walk(src, dst)
    return total


def tree_root(workdir: Path, sources) -> Path:
    """The folder to copy: ``workdir``, or the ancestor that holds every ``../`` path the
    notebook's code names (``pd.read_csv("../data/x.csv")`` reaches one level up).

    Never above the filesystem's root; the runs still start in ``workdir``'s copy.
    """
    import ast

    up = 0
    for source in sources:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            try:
                from ..magics import translate

                tree = ast.parse(translate(source).source)
            except Exception:  # noqa: BLE001 - a cell nb2flow cannot read names no path
                continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                for word in node.value.split():  # a path, or a shell command's words
                    parts = word.strip("'\"").replace("\\", "/").split("/")
                    depth = 0
                    while depth < len(parts) and parts[depth] == "..":
                        depth += 1
                    up = max(up, depth)
    up = min(up, len(workdir.parents))
    return workdir.parents[up - 1] if up else workdir


def snapshot(root: Path) -> Snapshot:
    """Size and modification time of every file under ``root`` (links to folders: not entered)."""
    found: Snapshot = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in NOISE]
        for name in files:
            path = os.path.join(folder, name)
            try:
                st = os.stat(path)
            except OSError:  # a dangling link
                continue
            rel = os.path.relpath(path, root).replace(os.sep, "/")
            found[rel] = (st.st_size, st.st_mtime_ns)
    return found


def changes(before: Snapshot, after: Snapshot) -> dict[str, str]:
    """path -> ``new``, ``changed`` or ``deleted``."""
    out = {p: "new" for p in after.keys() - before.keys()}
    out.update({p: "deleted" for p in before.keys() - after.keys()})
    out.update({p: "changed" for p in after.keys() & before.keys() if after[p] != before[p]})
    return dict(sorted(out.items()))


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def human_size(n: int) -> str:
    size = float(n)
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{n} B"  # pragma: no cover
