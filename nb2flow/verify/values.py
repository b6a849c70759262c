"""Numbers printed with a label: ``rmse: 5.21``, ``accuracy = 0.93``, ``r2 0.71``.

The notebook's are read from its stream outputs (and a cell's displayed number); the
flow's from Prefect's log lines (``... | Task run 'train-a1b' - rmse: 5.21``, with
``log_prints=True``) and its plain standard output.
"""

from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass, field

from .model import Value

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_NUM = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|[-+]?(?:nan|inf)"
_PAIR = re.compile(rf"(?P<label>[A-Za-z_][\w .\-/()%\[\]']*?)\s*[:=]\s*(?P<num>{_NUM})(?![\w.])")
_SPACED = re.compile(rf"^\s*(?P<label>[A-Za-z_][\w.\-/()%]*(?: [A-Za-z_][\w.\-/()%]*)*)\s+"
                     rf"(?P<num>{_NUM})\s*$")
_WRAPPED = re.compile(r"\b(?:np|numpy)\.(?:float|int|uint)\d*\(([^()]*)\)")
#: Prefect's console log line: ``12:00:01.123 | INFO    | Task run 'name-a1b' - message``.
_LOG = re.compile(r"^\d{2}:\d{2}:\d{2}\.\d{3} \| (?P<level>[A-Z]+)\s*\| (?P<logger>.*?) - "
                  r"(?P<msg>.*)$")
_RUN = re.compile(r"^(?P<kind>Task|Flow) run '(?P<name>[^']*)'$")
#: Lines that list files, not results: ``ls -l`` rows and their ``total 12``.
_LISTING = re.compile(r"^\s*(?:[-dlcbps][-rwxsStT]{9}[.+@]?\s|total \d+\s*$)")
_LEADING_NUM = re.compile(rf"^\s*(?P<num>{_NUM})(?![\w.])")


def strip_ansi(text: str) -> str:
    return ANSI.sub("", text)


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def find_values(text: str, labels: frozenset[str] = frozenset()) -> list[tuple[str, str, float]]:
    """``(label, number text, number)`` for each labelled number in the text, in order.

    ``labels`` are labels nb2flow printed itself (a shown metric such as
    ``mean_squared_error(y, p) ** 0.5``): a line that starts with one of them and a colon
    is read whatever characters the label holds. Other lines need a plain label. Lines that
    list files and clock times (``Dec  2 18:11``) are not results and are left out.
    """
    found = []
    known = sorted(labels, key=len, reverse=True)
    for line in strip_ansi(text).splitlines():
        line = _WRAPPED.sub(r"\1", line)
        mine = next((label for label in known if line.lstrip().startswith(label + ":")), None)
        if mine is not None:
            m = _LEADING_NUM.match(line.lstrip()[len(mine) + 1:])
            if m and (number := _number(m["num"])) is not None:
                found.append((mine, m["num"], number))
                continue
        if _LISTING.match(line):
            continue
        pairs = [m for m in _PAIR.finditer(line) if not _clock(line, m)]
        if pairs:
            for m in pairs:
                number = _number(m["num"])
                if number is not None:
                    found.append((m["label"].strip(), m["num"], number))
            continue
        m = _SPACED.match(line)
        if m and (number := _number(m["num"])) is not None:
            found.append((m["label"].strip(), m["num"], number))
    return found


def _clock(line: str, m: re.Match) -> bool:
    """``18:11`` in ``Dec  2 18:11`` or ``12:30:05``: a time of day, not a labelled number."""
    separator = line[m.end("label"):m.start("num")]
    return separator == ":" and m["label"][-1:].isdigit()


def shown_number(text: str) -> tuple[str, float] | None:
    """A displayed result that is one number (``5.2``, ``np.float64(5.2)``)."""
    text = _WRAPPED.sub(r"\1", strip_ansi(text).strip())
    if re.fullmatch(_NUM, text):
        number = _number(text)
        if number is not None:
            return text, number
    return None


def shown_label(source: str) -> tuple[str, int] | None:
    """The label nb2flow prints for a cell's last expression, and its line; None if none.

    nb2flow turns a shown metric (``rmse(y, p)`` on a cell's last line) into
    ``print("rmse:", rmse(y, p))``; the label comes from the function convert uses
    (:func:`nb2flow.classify.metric_label`), so both sides name the value alike.
    """
    from ..classify import metric_label

    source, tree = _python(source)
    if tree is None or not tree.body or not isinstance(tree.body[-1], ast.Expr):
        return None
    last = tree.body[-1]
    text = ast.get_source_segment(source, last) or ast.unparse(last.value)
    label = metric_label(last.value, text)
    if label is None:  # a displayed value convert drops: named after its call, or itself
        func = last.value.func if isinstance(last.value, ast.Call) else None
        label = func.id if isinstance(func, ast.Name) else \
            func.attr if isinstance(func, ast.Attribute) else " ".join(text.split())[:40]
    return label, last.lineno


def _python(source: str) -> tuple[str, ast.Module | None]:
    """The cell as Python (IPython syntax translated as convert does) and its tree."""
    try:
        return source, ast.parse(source)
    except SyntaxError:
        pass
    try:
        from ..magics import translate

        source = translate(source).source
        return source, ast.parse(source)
    except Exception:  # noqa: BLE001 - a cell nb2flow cannot read shows no label
        return source, None


@dataclass
class LogRecord:
    level: str
    logger: str  # "Task run 'train-a1b'", "Flow run 'x'", "prefect", ...
    lines: list[str] = field(default_factory=list)

    @property
    def task(self) -> str | None:
        """The task's name for a task run's record, ``flow`` for the flow's, else None."""
        m = _RUN.match(self.logger)
        if not m:
            return None
        if m["kind"] == "Flow":
            return "flow"
        return re.sub(r"-[0-9a-f]{3}$", "", m["name"])  # Prefect adds "-<3 hex>" per run

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def parse_log(text: str) -> tuple[list[LogRecord], list[str]]:
    """Prefect's records (continuation lines belong to the record above) and other lines."""
    records: list[LogRecord] = []
    plain: list[str] = []
    for line in strip_ansi(text).splitlines():
        m = _LOG.match(line)
        if m:
            records.append(LogRecord(m["level"], m["logger"].strip(), [m["msg"]]))
        elif records:
            records[-1].lines.append(line)
        else:
            plain.append(line)
    return records, plain


def flow_values(stdout: str, stderr: str, labels: frozenset[str] = frozenset()) -> list[Value]:
    """Values in the flow's log records and plain output (see :func:`find_values`)."""
    values = []
    for text in (stdout, stderr):
        records, plain = parse_log(text)
        for record in records:
            if record.task is None or record.level not in ("INFO", "WARNING"):
                continue
            values += [Value(label, num, number, task=record.task)
                       for label, num, number in find_values(record.text, labels)]
        if text is stdout:
            values += [Value(label, num, number) for label, num, number in
                       find_values("\n".join(plain), labels)]
    return values


def close(a: float, b: float, rtol: float, atol: float = 1e-9) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=rtol, abs_tol=atol)
