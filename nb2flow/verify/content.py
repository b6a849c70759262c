"""Compare two files by content, with a numeric tolerance.

Identical bytes are the same. Otherwise the content is loaded by kind and compared
recursively: pickles (and joblib files) are unpickled, tables (Parquet, CSV, Feather) read
with pandas, JSON parsed, NumPy files loaded; anything else is compared as bytes.
Unpickling runs the code the pickle names: it is the user's own notebook output.
"""

from __future__ import annotations

import json
import math
import pickle
from pathlib import Path
from typing import Any

from .workspace import file_hash

ATOL = 1e-9
PICKLE_SUFFIXES = {".pkl", ".pickle", ".p", ".pk", ".joblib", ".sav"}  # and any b"\x80..."
TABLE_SUFFIXES = {".parquet", ".pq", ".csv", ".tsv", ".feather", ".arrow"}


def compare_files(a: Path, b: Path, rtol: float) -> str | None:
    """None when the files hold the same content, else what differs (one line)."""
    if a.stat().st_size == b.stat().st_size and file_hash(a) == file_hash(b):
        return None
    kind = _kind(a)
    if kind is None:
        return "bytes differ" + _first_line_diff(a, b)
    try:
        left, right = _load(a), _load(b)
    except Exception as exc:  # noqa: BLE001 - unreadable as its kind: the bytes differ
        return f"bytes differ (not readable as {kind}: {type(exc).__name__}: {exc})"[:200]
    found = diff(left, right, rtol)
    return None if found is None else f"{kind}: {found}"


def _kind(path: Path) -> str | None:
    suffix = path.suffix.lower()
    if suffix in PICKLE_SUFFIXES:
        return "pickle"
    if suffix in TABLE_SUFFIXES:
        return "table"
    if suffix in (".json", ".jsonl"):
        return "json"
    if suffix in (".npy", ".npz"):
        return "array"
    with open(path, "rb") as f:
        head = f.read(4)
    if head[:1] == b"\x80":
        return "pickle"
    if head == b"PAR1":
        return "table"
    return None


def _load(path: Path) -> Any:
    kind, suffix = _kind(path), path.suffix.lower()
    if kind == "pickle":
        try:
            import joblib  # reads joblib files and plain pickles alike

            return joblib.load(path)
        except ImportError:
            with open(path, "rb") as f:
                return pickle.load(f)
    if kind == "table":
        import pandas as pd

        if suffix in (".csv", ".tsv"):
            return pd.read_csv(path, sep="\t" if suffix == ".tsv" else ",")
        if suffix in (".feather", ".arrow"):
            return pd.read_feather(path)
        return pd.read_parquet(path)
    if kind == "json":
        text = path.read_text(encoding="utf-8")
        if suffix == ".jsonl":
            return [json.loads(line) for line in text.splitlines() if line.strip()]
        return json.loads(text)
    if kind == "array":
        import numpy as np

        loaded = np.load(path, allow_pickle=False)
        if suffix == ".npz":
            with loaded:
                return {k: loaded[k] for k in loaded.files}
        return loaded
    raise ValueError("not a known kind")


def _first_line_diff(a: Path, b: Path) -> str:
    try:
        left = a.read_text(encoding="utf-8").splitlines()
        right = b.read_text(encoding="utf-8").splitlines()
    except (UnicodeDecodeError, OSError):
        return ""
    for number, (x, y) in enumerate(zip(left, right), start=1):
        if x != y:
            return f"; line {number}: {x[:40]!r} vs {y[:40]!r}"
    return f"; {len(left)} vs {len(right)} lines"


def diff(a: Any, b: Any, rtol: float, where: str = "", _seen: set | None = None,
         _depth: int = 0) -> str | None:
    """None when ``a`` and ``b`` hold the same data (floats within ``rtol``), else where not."""
    seen = set() if _seen is None else _seen
    if a is b:
        return None
    label = where or type(a).__name__
    if _depth > 60 or (id(a), id(b)) in seen:
        return None
    seen.add((id(a), id(b)))
    nested = lambda x, y, w: diff(x, y, rtol, w, seen, _depth + 1)  # noqa: E731
    if type(a) is not type(b) and not (_is_number(a) and _is_number(b)):
        return f"{label}: {type(a).__name__} vs {type(b).__name__}"
    module = type(a).__module__.split(".")[0]
    if module == "numpy" and hasattr(a, "shape") and hasattr(a, "dtype"):
        return _array_diff(a, b, rtol, label, nested)
    if module == "pandas":
        return _pandas_diff(a, b, rtol, label)
    if _is_number(a):
        if isinstance(a, (bool, int)) and isinstance(b, (bool, int)) and not isinstance(
                a, float):
            return None if a == b else f"{label}: {a} vs {b}"
        x, y = complex(a), complex(b)
        if all(_close(p, q, rtol) for p, q in ((x.real, y.real), (x.imag, y.imag))):
            return None
        return f"{label}: {a!r} vs {b!r}"
    if isinstance(a, (str, bytes, bytearray)):
        return None if a == b else f"{label}: {_short(a)} vs {_short(b)}"
    if isinstance(a, dict):
        return _mapping_diff(a, b, label, "keys", lambda key: f"{where}[{key!r}]", nested)
    if isinstance(a, (list, tuple)):
        if len(a) != len(b):
            return f"{label}: {len(a)} vs {len(b)} items"
        for i, (x, y) in enumerate(zip(a, b)):
            found = nested(x, y, f"{where}[{i}]")
            if found:
                return found
        return None
    if isinstance(a, (set, frozenset)):
        return None if a == b else f"{label}: sets differ"
    if hasattr(a, "toarray") and hasattr(a, "shape"):  # scipy.sparse
        return nested(a.toarray(), b.toarray(), where)
    if hasattr(a, "__dict__") and not isinstance(a, type):
        base = where or type(a).__name__
        return _mapping_diff(vars(a), vars(b), base, "attributes",
                             lambda key: f"{base}.{key}", nested)
    if type(a).__eq__ is object.__eq__:  # identity equality: compare what pickling keeps
        return nested(_reduced(a), _reduced(b), where)
    try:
        equal = a == b
        equal = bool(equal) if isinstance(equal, bool) else bool(getattr(equal, "all")())
    except Exception:  # noqa: BLE001
        equal = False
    return None if equal else f"{label}: {_short(a)} vs {_short(b)}"


def _mapping_diff(left: dict, right: dict, label: str, what: str, path, nested) -> str | None:
    """The first difference between two mappings: their keys, then each value in turn."""
    if left.keys() != right.keys():
        only = sorted(map(str, left.keys() ^ right.keys()))[:3]
        return f"{label}: {what} differ ({', '.join(only)})"
    for key in left:
        found = nested(left[key], right[key], path(key))
        if found:
            return found
    return None


def _reduced(obj: Any) -> Any:
    try:
        reduced = obj.__reduce_ex__(4)
    except Exception:  # noqa: BLE001
        return repr(obj)
    if isinstance(reduced, str):
        return reduced
    return tuple(x for x in reduced[1:3])  # constructor arguments and state


def _is_number(x: Any) -> bool:
    import numbers

    return isinstance(x, numbers.Number)


def _close(x: float, y: float, rtol: float) -> bool:
    if math.isnan(x) or math.isnan(y):
        return math.isnan(x) and math.isnan(y)
    return math.isclose(x, y, rel_tol=rtol, abs_tol=ATOL)


def _array_diff(a: Any, b: Any, rtol: float, label: str, nested) -> str | None:
    import numpy as np

    if a.shape != b.shape:
        return f"{label}: shape {a.shape} vs {b.shape}"
    if a.dtype.kind in "biufc" and b.dtype.kind in "biufc":
        if np.allclose(a, b, rtol=rtol, atol=ATOL, equal_nan=True):
            return None
        bad = ~np.isclose(a, b, rtol=rtol, atol=ATOL, equal_nan=True)
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        where = label + "".join(f"[{i}]" for i in index)
        x, y = a[index].item(), b[index].item()
        return f"{where}: {x!r} vs {y!r} ({int(bad.sum())} of {a.size} differ)"
    if a.dtype.kind == "O" or b.dtype.kind == "O":
        for index in np.ndindex(a.shape):
            found = nested(a[index], b[index], label + "".join(f"[{i}]" for i in index))
            if found:
                return found
        return None
    return None if np.array_equal(a, b) else f"{label}: arrays differ"


def _pandas_diff(a: Any, b: Any, rtol: float, label: str) -> str | None:
    import pandas as pd
    import pandas.testing as pdt

    check = {pd.DataFrame: pdt.assert_frame_equal, pd.Series: pdt.assert_series_equal}
    if isinstance(a, pd.DataFrame) and isinstance(b, pd.DataFrame):
        volatile = _volatile_columns(a, b)
        if volatile:
            rest = [c for c in a.columns if c not in volatile]
            found = _pandas_diff(a[rest], b[rest], rtol, label) if rest else None
            names = ", ".join(f"`{c}` ({kind})" for c, kind in volatile.items())
            what = "column" if len(volatile) == 1 else "columns"
            verb = "differs" if len(volatile) == 1 else "differ"
            why = (f"{label}: {what} {names} {verb}: new values on every run, so no two runs "
                   "agree; derive it from the data (or leave it out) to compare the rest")
            return why + (f"; and {found}" if found else
                          "; every other column is the same")
    try:
        for kind, assert_equal in check.items():
            if isinstance(a, kind):
                assert_equal(a, b, check_exact=False, rtol=rtol, atol=ATOL)
                return None
        if isinstance(a, pd.Index):
            pdt.assert_index_equal(a, b, check_exact=False, rtol=rtol, atol=ATOL)
            return None
        return None if a == b else f"{label}: {_short(a)} vs {_short(b)}"
    except AssertionError as exc:
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
        return f"{label}: " + "; ".join(lines[:3])[:200]


_UUID = r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"


def _volatile_columns(a: Any, b: Any) -> dict[str, str]:
    """Columns that differ and hold values made at run time: uuids, clock times."""
    import pandas as pd

    if list(a.columns) != list(b.columns) or len(a) != len(b) or not len(a):
        return {}
    found = {}
    for column in a.columns:
        x, y = a[column], b[column]
        if x.equals(y):
            continue
        if all(pd.api.types.is_datetime64_any_dtype(v) for v in (x, y)):
            found[column] = "times of the run"
        elif all(v.dtype == object or pd.api.types.is_string_dtype(v) for v in (x, y)) and \
                all(v.astype(str).str.fullmatch(_UUID).all() for v in (x, y)):
            found[column] = "uuids"
        elif all(v.dtype == object or pd.api.types.is_string_dtype(v) for v in (x, y)):
            times = [pd.to_datetime(v, errors="coerce", utc=True) for v in (x, y)]
            now = pd.Timestamp.now(tz="UTC")
            if all(t.notna().all() and (abs(now - t) < pd.Timedelta(days=1)).all()
                   for t in times):
                found[column] = "times of the run"
    return found


def _short(x: Any) -> str:
    text = repr(x)
    return text if len(text) <= 40 else text[:37] + "..."
