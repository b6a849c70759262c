"""Translate IPython syntax (magics, shell lines, help) into plain Python.

Used by ``classify`` only for cells that do not parse as Python. Every output line stands
where its input line stood, so syntax errors and reasons keep their cell line numbers.

The grammar mirrors IPython's own (``IPython.core.inputtransformer2`` and the prefilter's
automagic): blank lines before a cell magic are ignored, a ``!cmd`` or ``%magic`` line
ending in ``\\`` continues on the next line, and a line that starts with a line magic's
or a default alias's name (``ls data/``, ``pip install x``, ``pwd``) runs as that magic.
IPython itself is not imported: convert must stay fast and IPython is not a dependency.
"""

from __future__ import annotations

import ast
import re
import shlex
from dataclasses import dataclass, field

from .ipython_syntax import call_of, transform
from .pycode import string
from .rules.shell import (
    ALIASES,
    AUTOMAGICS,
    DISPLAY_COMMANDS,
    DISPLAY_SUBCOMMANDS,
    VERSION_FLAGS,
)

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
_SHELL_CELL_MAGICS = {"bash", "sh", "script", "system", "shell"}  # shell: Colab
_OTHER_LANGUAGES = {"R", "julia", "octave", "matlab", "perl", "ruby"}  # rpy2, ... (-o returns)


@dataclass
class Translation:
    source: str
    dropped: list[tuple[int, str, str]] = field(default_factory=list)  # (line, code, reason)
    unknown: list[tuple[int, str]] = field(default_factory=list)  # (line, magic)
    pip_packages: list[str] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, message)
    imports: list[str] = field(default_factory=list)  # modules the translation needs
    shell: list[tuple[int, str]] = field(default_factory=list)  # (line, command) via subprocess
    #: a cell magic whose body is not Python and has no translation: (line, magic)
    foreign: tuple[int, str] | None = None


_TIMEIT_OPTS = re.compile(r"^(-[nr]\s*\d+\s+|-[oqcp]\s+|-p\s*\d+\s+)*")


def translate(source: str) -> Translation:
    lines = source.split("\n")
    out = Translation(source="")
    lead = 0  # IPython drops blank lines before looking for a cell magic, Colab its
    while lead < len(lines) - 1 and (  # form lines (``#@title ...``, ``#@markdown ...``)
            not lines[lead].strip() or lines[lead].lstrip().startswith("#@")):
        lead += 1
    if not lines[lead].strip().startswith("%%"):
        lead = 0
    first = lines[lead].strip() if lines else ""
    if first.startswith("%%"):
        _cell_magic(first, lines[lead + 1:], lead, out)
        if out.source is not None:
            out.source = "\n" * lead + out.source
            return out
        result = [""] * (lead + 1)
        start = lead + 1
    else:
        result = []
        start = 0
    imports: set[str] = set()
    body = [_automagic(line) for line in lines[start:]]
    at = 0
    for text, span in transform(body):
        original = " ".join(x.rstrip().removesuffix("\\").strip() for x in body[at:at + span])
        if span > 1:  # IPython joins a continued ``!cmd \\`` line keeping its spaces
            text = _squeeze(text)
        result.append(_line(start + at + 1, text, original, out, imports))
        result.extend([""] * (span - 1))
        at += span
    out.source = "\n".join(result)
    out.imports.extend(sorted(imports))
    return out


_AUTOMAGIC = re.compile(r"^(?P<indent>\s*)(?P<name>[A-Za-z_][\w-]*)(?P<rest>(\s+.*)?)$")
#: What may follow a name for the line to be Python rather than automagic (IPython's
#: checker leaves ``ls = 1``, ``pip.main(...)``, ``time(3)`` and ``cd, x`` alone).
_NOT_AUTOMAGIC = re.compile(r"^\s*([=(\[,:;+*/%&|^<>@]|(is|not|in|and|or|if|else|for)\b)")


def _automagic(line: str) -> str:
    """``ls data/`` -> ``!ls data/``, ``pip install x`` -> ``%pip install x`` (IPython's
    automagic and default aliases run these; plain Python cannot parse them)."""
    m = _AUTOMAGIC.match(line)
    if not m or _NOT_AUTOMAGIC.match(m["rest"]) or not m["rest"].strip() and m["name"] not in (
        "pwd", "ls", "ll", "who", "whos", "lsmagic", "dhist", "dirs", "popd", "history",
    ):
        return line
    if m["name"] in ALIASES:
        return f"{m['indent']}!{m['name']}{m['rest']}"
    if m["name"] in AUTOMAGICS:
        return f"{m['indent']}%{m['name']}{m['rest']}"
    return line


def _cell_magic(first: str, body: list[str], base: int, out: Translation) -> None:
    """Translate a cell that starts with ``%%name``; ``out.source`` stays None when only
    the first line goes (the body is then translated line by line)."""
    out.source = None  # type: ignore[assignment]
    head = first[2:].split(None, 1)
    name = head[0] if head else ""
    arg = head[1] if len(head) > 1 else ""
    line = base + 1
    if name == "writefile":
        _writefile(arg, body, out, line)
        return
    if name in _SHELL_CELL_MAGICS:
        script = "\n".join(body)
        out.source = f"subprocess.run({script!r}, shell=True, check=True)" + "\n" * len(body)
        out.imports.append("subprocess")
        out.shell.append((line, f"%%{name} cell"))
        return
    if name in _DISPLAY_CELL_MAGICS:
        out.source = "\n" * len(body)
        out.dropped.append((line, first, f"%%{name} only displays"))
        return
    if name == "bigquery":
        words = arg.split()
        target = words[0] if words and words[0].isidentifier() else None
        if target is None:
            out.source = "\n" * len(body)
            out.dropped.append((line, first, "%%bigquery without a name only displays"))
            return
        sql = "\n".join(body).strip() + "\n"
        out.source = (f"{target} = bigquery.Client().query({sql!r}).to_dataframe()"
                      + "\n" * len(body))
        out.imports.append("from google.cloud import bigquery")
        out.dropped.append((line, first, f"%%bigquery becomes bigquery.Client().query(...)"
                            f".to_dataframe() into {target}"))
        return
    if name == "capture":
        words = [w for w in arg.split() if not w.startswith("-")]
        if words and words[0].isidentifier():
            _capture(words[0], body, out, line)
            return
    if name in _OTHER_LANGUAGES and not re.search(r"(^|\s)-o\b", arg):
        out.source = "\n" * len(body)
        out.unknown.append((line, f"%%{name} (another language; nothing returns to Python)"))
        return
    if name not in _BODY_CELL_MAGICS:
        text = translate("\n".join(body)).source if body else ""
        try:
            ast.parse(text)
        except SyntaxError:
            out.foreign = (line, f"%%{name}")
            out.source = "\n" * len(body)
            return
        out.unknown.append((line, f"%%{name}"))
    else:
        out.dropped.append((line, first, f"%%{name} wrapper removed, body kept"))


def _capture(target: str, body: list[str], out: Translation, line: int) -> None:
    """``%%capture out``: the body runs with its printed output captured in ``out``
    (``out.stdout``, ``out.stderr``), as IPython's ``CapturedIO``."""
    inner = translate("\n".join(body)) if body else Translation(source="")
    try:
        ast.parse(inner.source)
        source = inner.source
    except SyntaxError:
        source = "\n".join(body)
    for fieldname in ("dropped", "unknown", "errors", "shell"):  # lines from the body's
        getattr(out, fieldname).extend((n + line, *rest) for n, *rest in getattr(inner, fieldname))
    out.pip_packages.extend(inner.pip_packages)
    out.imports.extend(inner.imports)
    indented = [("    " + x if x.strip() else x) for x in source.split("\n")]
    if not any(x.strip() for x in indented):
        indented = ["    pass"]
    out.source = "\n".join([
        "with contextlib.redirect_stdout(io.StringIO()) as _stdout, "
        "contextlib.redirect_stderr(io.StringIO()) as _stderr:",
        *indented,
        f"{target} = types.SimpleNamespace(stdout=_stdout.getvalue(), "
        "stderr=_stderr.getvalue(), outputs=[])",
    ])
    out.imports.extend(["contextlib", "io", "types"])
    out.dropped.append((line, f"%%capture {target}", f"%%capture {target} becomes "
                        f"contextlib.redirect_stdout into {target}.stdout"))


def _line(number: int, line: str, original: str, out: Translation,
          imports: set[str]) -> str:
    """One line as IPython transformed it (``original``: the notebook's text)."""
    indent = line[: len(line) - len(line.lstrip())]
    call = call_of(line)
    if call is None:  # plain Python (IPython's ``/f x``, ``,f a b``, ``;`` escapes too)
        return line
    if call.kind != "run_line_magic":
        cmd = call.args[0] if call.args else ""
        if call.target is not None:
            imports.add("subprocess")
            return (f"{indent}{call.target} = subprocess.run({_command(cmd)}, shell=True, "
                    "check=True, capture_output=True, text=True).stdout.splitlines()")
        return _shell(number, indent, cmd, original.strip(), out, imports)
    name, rest = (call.args + ("", ""))[:2]
    if not name and rest:  # ``% matplotlib inline``
        name, _, rest = rest.partition(" ")
    if call.target is not None:
        if name == "env" and rest.strip().isidentifier():  # PATH = %env PATH
            imports.add("os")
            return f"{indent}{call.target} = os.environ[{rest.strip()!r}]"
        out.errors.append((number, "assigning the result of a magic"))
        return f"{indent}pass" if indent else ""
    return _magic(number, indent, name, rest, original.strip(), out, imports)


def _squeeze(line: str) -> str:
    call = call_of(line)
    if call is None or call.kind == "run_line_magic" or not call.args:
        return line
    return line.replace(repr(call.args[0]), repr(" ".join(call.args[0].split())), 1)


def _shell(number: int, indent: str, cmd: str, stripped: str, out: Translation,
           imports: set[str]) -> str:
    blank = f"{indent}pass" if indent else ""
    cmd = cmd.strip()
    words = cmd.split()
    if words[:2] in (["pip", "install"], ["conda", "install"]) or words[:3] == [
        "python", "-m", "pip",
    ]:
        out.pip_packages.extend(w for w in words[2:] if not w.startswith("-"))
        out.dropped.append((number, stripped, "package install belongs in requirements"))
        return blank
    if reason := _display_command(words, cmd):
        out.dropped.append((number, stripped, reason))
        return blank
    if folders := _mkdir(words, cmd):
        imports.add("pathlib")
        return indent + "; ".join(
            f"pathlib.Path({_command(f)}).mkdir(parents=True, exist_ok=True)"
            for f in folders)
    imports.add("subprocess")
    out.shell.append((number, cmd))
    return f"{indent}subprocess.run({_command(cmd)}, shell=True, check=True)"


def _magic(number: int, indent: str, name: str, rest: str, stripped: str, out: Translation,
           imports: set[str]) -> str:
    blank = f"{indent}pass" if indent else ""
    if name in _INSTALL_MAGICS:
        words = rest.split()
        if words[:1] == ["install"]:
            out.pip_packages.extend(w for w in words[1:] if not w.startswith("-"))
        out.dropped.append((number, stripped, "package install belongs in requirements"))
        return blank
    if name in ("time", "timeit", "prun"):
        if name == "timeit":
            rest = _TIMEIT_OPTS.sub("", rest + " ").strip()
        return f"{indent}{rest}" if rest else blank
    if name == "env" and "=" in rest:
        key, _, value = rest.partition("=")
        imports.add("os")
        return f"{indent}os.environ[{key.strip()!r}] = {_command(value)}"
    if name == "env" and " " in rest.strip():
        key, value = rest.strip().split(None, 1)
        imports.add("os")
        return f"{indent}os.environ[{key!r}] = {value!r}"
    if name == "cd" and rest.strip() and not rest.strip().startswith("-"):
        imports.add("os")
        return f"{indent}os.chdir({_command(rest)})"
    if name in ("pinfo", "pinfo2", "psearch"):  # ``x?``, ``x??``, ``?x``
        out.dropped.append((number, stripped, "help lookup"))
        return blank
    if name in _SETTING_MAGICS or name == "env":
        out.dropped.append((number, stripped, f"%{name} is a notebook setting"))
        return blank
    out.unknown.append((number, f"%{name}"))
    return blank


def _command(cmd: str) -> str:
    """Python source for a shell command, turning IPython's {expr} and $name into an f-string."""
    cmd = cmd.strip()
    # ``${NAME}`` is the shell's variable (IPython's expansion of {NAME} fails, so the
    # command runs as written): kept for the shell, braces doubled in the f-string
    shell = re.sub(r"\$\{(\w+)\}", "$\0\\1\1", cmd)
    dollar = re.sub(r"(?<!\$)\$(\w+)", r"{\1}", shell)
    if "{" in dollar:
        source = "f" + string(dollar.replace("\0", "{{").replace("\1", "}}"))
        try:  # IPython leaves the command as it is when a {field} does not evaluate
            ast.parse(source, mode="eval")
        except SyntaxError:  # kubectl's -o=jsonpath={.spec.host}
            return repr(cmd)
        return source
    return repr(cmd)


def _display_command(words: list[str], cmd: str) -> str | None:
    """Why a shell command only displays (``ls``, ``pip freeze``, ``python -V``), or None."""
    if not words or any(c in cmd for c in (">", "|", "&&", ";", "$(", "`")):
        return None
    program = words[0].rsplit("/", 1)[-1]
    if program in DISPLAY_COMMANDS and not (program == "find" and "-delete" in words):
        return f"`{program}` {DISPLAY_COMMANDS[program]}: nothing for the pipeline"
    if len(words) > 1 and (program, words[1]) in DISPLAY_SUBCOMMANDS:
        return f"`{program} {words[1]}` only prints: nothing for the pipeline"
    if len(words) == 2 and words[1] in VERSION_FLAGS:
        return f"`{program} {words[1]}` only prints a version"
    return None


def _mkdir(words: list[str], cmd: str) -> list[str]:
    """The folders of ``mkdir [-p] a b``; empty for anything else."""
    if words[:1] != ["mkdir"] or any(c in cmd for c in (">", "|", "&&", ";", "`", "$(")):
        return []
    try:
        args = shlex.split(cmd)[1:]
    except ValueError:
        return []
    flags = [a for a in args if a.startswith("-")]
    if any(f not in ("-p", "--parents") for f in flags):
        return []
    return [a for a in args if not a.startswith("-")]


def _writefile(arg: str, body: list[str], out: Translation, line: int = 1) -> None:
    words = shlex.split(arg) if arg else []
    append = "-a" in words or "--append" in words
    paths = [w for w in words if not w.startswith("-")]
    if not paths:
        out.errors.append((line, "%%writefile needs a file name"))
        out.source = "\n" * len(body)
        return
    content = "\n".join(body)
    if content and not content.endswith("\n"):
        content += "\n"
    mode = "a" if append else "w"
    call = f"with open({paths[0]!r}, {mode!r}) as _f:\n    _f.write({content!r})"
    out.source = call + "\n" * max(len(body) - 1, 0)
    out.dropped.append((line, f"%%writefile {arg}", "%%writefile becomes open().write()"))
