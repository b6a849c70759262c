"""Translate IPython syntax (magics, shell lines, help) into plain Python.

Used by ``classify`` only for cells that do not parse as Python. Every output line stands
where its input line stood, so syntax errors and reasons keep their cell line numbers.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field

from .pycode import string

# Editor and display settings: no meaning in a script.
_SETTING_MAGICS = {
    "matplotlib", "load_ext", "reload_ext", "unload_ext", "autoreload", "aimport", "config",
    "precision", "xmode", "pylab", "colors", "autosave", "automagic", "pprint", "pdb",
    "who", "whos", "who_ls", "history", "pwd", "ls", "lsmagic", "magic", "notebook",
    "qtconsole", "clear", "reset", "reset_selective", "tb", "debug", "doctest_mode",
    "alias_magic", "page", "pinfo", "pinfo2", "psearch", "quickref", "dhist", "bookmark",
    "watermark", "load",
}
_INSTALL_MAGICS = {"pip", "conda", "mamba"}
_BODY_CELL_MAGICS = {"time", "timeit", "capture", "prun", "memit", "skip_if"}
_DISPLAY_CELL_MAGICS = {"html", "markdown", "latex", "javascript", "js", "svg", "HTML"}
_SHELL_CELL_MAGICS = {"bash", "sh", "script", "system"}


@dataclass
class Translation:
    source: str
    dropped: list[tuple[int, str, str]] = field(default_factory=list)  # (line, code, reason)
    unknown: list[tuple[int, str]] = field(default_factory=list)  # (line, magic)
    pip_packages: list[str] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, message)
    imports: list[str] = field(default_factory=list)  # modules the translation needs
    shell: list[tuple[int, str]] = field(default_factory=list)  # (line, command) via subprocess


_LINE_MAGIC = re.compile(r"^(?P<indent>\s*)%(?P<name>\w+)\s*(?P<rest>.*)$")
_SHELL = re.compile(r"^(?P<indent>\s*)!(?P<cmd>.*)$")
_ASSIGN_SHELL = re.compile(r"^(?P<indent>\s*)(?P<target>[\w, ]+?)\s*=\s*!(?P<cmd>.*)$")
_ASSIGN_MAGIC = re.compile(r"^\s*[\w, ]+?\s*=\s*%")
_HELP = re.compile(r"^\s*(\?\??[\w.]+|[\w.\[\]'\"()]+\?\??)\s*$")
_TIMEIT_OPTS = re.compile(r"^(-[nr]\s*\d+\s+|-[oqcp]\s+|-p\s*\d+\s+)*")


def translate(source: str) -> Translation:
    lines = source.split("\n")
    out = Translation(source="")
    result: list[str] = []
    start = 0
    first = lines[0].strip() if lines else ""
    if first.startswith("%%"):
        head = first[2:].split(None, 1)
        name = head[0] if head else ""
        arg = head[1] if len(head) > 1 else ""
        body = lines[1:]
        if name == "writefile":
            return _writefile(arg, body, out)
        if name in _SHELL_CELL_MAGICS:
            script = "\n".join(body)
            out.source = (
                f"subprocess.run({script!r}, shell=True, check=True)" + "\n" * len(body)
            )
            out.imports.append("subprocess")
            out.shell.append((1, f"%%{name} cell"))
            return out
        if name in _DISPLAY_CELL_MAGICS:
            out.source = "\n" * len(lines)
            out.dropped.append((1, first, f"%%{name} only displays"))
            return out
        if name not in _BODY_CELL_MAGICS:
            out.unknown.append((1, f"%%{name}"))
        else:
            out.dropped.append((1, first, f"%%{name} wrapper removed, body kept"))
        result.append("")
        start = 1
    imports: set[str] = set()
    for number, line in enumerate(lines[start:], start=start + 1):
        result.append(_line(number, line, out, imports))
    out.source = "\n".join(result)
    out.imports.extend(sorted(imports))
    return out


def _line(number: int, line: str, out: Translation, imports: set[str]) -> str:
    indent = line[: len(line) - len(line.lstrip())]
    blank = f"{indent}pass" if indent else ""
    stripped = line.strip()
    if not stripped or stripped.startswith("#"):
        return line
    if m := _ASSIGN_SHELL.match(line):
        imports.add("subprocess")
        cmd = _command(m["cmd"])
        return (
            f"{m['indent']}{m['target']} = subprocess.run({cmd}, shell=True, check=True, "
            f"capture_output=True, text=True).stdout.splitlines()"
        )
    if _ASSIGN_MAGIC.match(line):
        out.errors.append((number, "assigning the result of a magic"))
        return blank
    if m := _SHELL.match(line):
        cmd = m["cmd"].strip()
        words = cmd.split()
        if words[:2] in (["pip", "install"], ["conda", "install"]) or words[:3] == [
            "python", "-m", "pip",
        ]:
            out.pip_packages.extend(w for w in words[2:] if not w.startswith("-"))
            out.dropped.append((number, stripped, "package install belongs in requirements"))
            return blank
        imports.add("subprocess")
        out.shell.append((number, cmd))
        return f"{m['indent']}subprocess.run({_command(cmd)}, shell=True, check=True)"
    if m := _LINE_MAGIC.match(line):
        name, rest = m["name"], m["rest"]
        if name in _INSTALL_MAGICS:
            words = rest.split()
            if words[:1] == ["install"]:
                out.pip_packages.extend(w for w in words[1:] if not w.startswith("-"))
            out.dropped.append((number, stripped, "package install belongs in requirements"))
            return blank
        if name in ("time", "timeit", "prun"):
            if name == "timeit":
                rest = _TIMEIT_OPTS.sub("", rest + " ").strip()
            return f"{m['indent']}{rest}" if rest else blank
        if name == "env" and "=" in rest:
            key, _, value = rest.partition("=")
            imports.add("os")
            return f"{m['indent']}os.environ[{key.strip()!r}] = {value.strip()!r}"
        if name == "env" and " " in rest.strip():
            key, value = rest.strip().split(None, 1)
            imports.add("os")
            return f"{m['indent']}os.environ[{key!r}] = {value!r}"
        if name in _SETTING_MAGICS or name == "env":
            out.dropped.append((number, stripped, f"%{name} is a notebook setting"))
            return blank
        out.unknown.append((number, f"%{name}"))
        return blank
    if _HELP.match(line):
        out.dropped.append((number, stripped, "help lookup"))
        return blank
    return line


def _command(cmd: str) -> str:
    """Python source for a shell command, turning IPython's {expr} and $name into an f-string."""
    cmd = cmd.strip()
    dollar = re.sub(r"(?<!\$)\$(\w+)", r"{\1}", cmd)
    if "{" in dollar:
        return f"f{string(dollar)}"
    return repr(cmd)


def _writefile(arg: str, body: list[str], out: Translation) -> Translation:
    words = shlex.split(arg) if arg else []
    append = "-a" in words or "--append" in words
    paths = [w for w in words if not w.startswith("-")]
    if not paths:
        out.errors.append((1, "%%writefile needs a file name"))
        out.source = "\n" * len(body)
        return out
    content = "\n".join(body)
    if content and not content.endswith("\n"):
        content += "\n"
    mode = "a" if append else "w"
    call = f"with open({paths[0]!r}, {mode!r}) as _f:\n    _f.write({content!r})"
    out.source = call + "\n" * max(len(body) - 1, 0)
    out.dropped.append((1, f"%%writefile {arg}", "%%writefile becomes open().write()"))
    return out
