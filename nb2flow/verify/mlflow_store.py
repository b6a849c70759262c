"""MLflow runs logged to a local store during a run: their parameters, metrics, artifacts.

Read without MLflow (it need not be installed): a file store (``mlruns/<experiment>/<run>/
params|metrics|artifacts``) is plain files, a SQLite store (``mlflow.db``) is read with
:mod:`sqlite3`. Run ids differ between the notebook's and the flow's runs, so runs are paired
by experiment name and start order: ``Default/run 1``, ``Default/run 2``... Their
artifacts are then compared as files under ``mlflow:<experiment>/run <n>/...``. The flow's
runs are then given the key of the notebook run they match by content (:func:`pair_runs`):
the same experiment and parameter names, the most parameter values and the same run name, so
a flow that logs 6 of the notebook's 56 runs is compared with the right 6.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class MlflowRun:
    experiment: str
    run_id: str
    start: int
    params: dict[str, str] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)
    key: str = ""  # "Default/run 1", set by :func:`find_runs`
    name: str = ""  # the run name MLflow shows (tag ``mlflow.runName``)
    cell: int | None = None  # the notebook cell that was running when the run started


def _meta(path: Path) -> dict[str, str]:
    """``key: value`` lines of an MLflow ``meta.yaml`` (flat, so no YAML parser is needed)."""
    found = {}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        key, sep, value = line.partition(":")
        if sep and not line.startswith((" ", "-")):
            found[key.strip()] = value.strip().strip("'\"")
    return found


def _file_store(root: Path, store: str, changed: set[str]) -> list[MlflowRun]:
    runs = []
    for exp in sorted((root / store).iterdir()):
        if not (exp / "meta.yaml").is_file():
            continue
        name = _meta(exp / "meta.yaml").get("name", exp.name)
        for run in sorted(p for p in exp.iterdir() if (p / "meta.yaml").is_file()):
            prefix = f"{store}/{exp.name}/{run.name}/"
            if not any(c.startswith(prefix) for c in changed):
                continue  # logged before this run
            meta = _meta(run / "meta.yaml")
            found = MlflowRun(name, meta.get("run_id", run.name),
                              int(meta.get("start_time") or 0), name=meta.get("run_name", ""))
            for kind in ("params", "metrics"):
                folder = run / kind
                for f in sorted(folder.rglob("*")) if folder.is_dir() else ():
                    if not f.is_file():
                        continue
                    key = f.relative_to(folder).as_posix()
                    text = f.read_text(encoding="utf-8", errors="replace")
                    if kind == "params":
                        found.params[key] = text
                    elif text.split():
                        found.metrics[key] = float(text.strip().splitlines()[-1].split()[1])
            runs.append(found)
    return runs


def _sqlite_store(db: Path, original: Path | None) -> list[MlflowRun]:
    def read(path: Path) -> tuple[dict, list]:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            experiments = dict(con.execute("SELECT experiment_id, name FROM experiments"))
            columns = {row[1] for row in con.execute("PRAGMA table_info(runs)")}
            name = "name" if "name" in columns else "''"  # MLflow < 1.29 has no run names
            rows = con.execute(f"SELECT run_uuid, experiment_id, start_time, {name} FROM runs"
                               ).fetchall()
            runs = {}
            for run_id, exp, start, name in rows:
                runs[run_id] = MlflowRun(experiments.get(exp, str(exp)), run_id, start or 0,
                                         name=name or "")
            for key, value, run_id in con.execute("SELECT key, value, run_uuid FROM params"):
                if run_id in runs:
                    runs[run_id].params[key] = value
            for key, value, run_id in con.execute(
                    "SELECT key, value, run_uuid FROM metrics ORDER BY timestamp, step"):
                if run_id in runs:
                    runs[run_id].metrics[key] = value
            return experiments, list(runs.values())
        finally:
            con.close()

    _, runs = read(db)
    before = {r.run_id for r in read(original)[1]} if original and original.is_file() else set()
    return [r for r in runs if r.run_id not in before]


def find_runs(root: Path, changed: dict[str, str],
              original: Path) -> tuple[list[MlflowRun], set[str]]:
    """The MLflow runs logged in ``root`` during the run, keyed ``<experiment>/run <n>``,
    and the MLflow databases among the changed paths."""
    paths = set(changed)
    runs: list[MlflowRun] = []
    databases: set[str] = set()
    stores = {p.split("/mlruns/")[0] + "/mlruns" if "/mlruns/" in p else "mlruns"
              for p in paths if p.startswith("mlruns/") or "/mlruns/" in p}
    for store in sorted(stores):
        if (root / store).is_dir():
            runs += _file_store(root, store, paths)
    for path in sorted(paths):
        if path.endswith(".db") and changed[path] != "deleted":
            try:
                runs += _sqlite_store(root / path, original / path)
                databases.add(path)
            except sqlite3.Error:
                continue  # not an MLflow database
    count: dict[str, int] = {}
    for run in sorted(runs, key=lambda r: (r.experiment, r.start, r.run_id)):
        count[run.experiment] = count.get(run.experiment, 0) + 1
        run.key = f"{run.experiment}/run {count[run.experiment]}"
    return runs, databases


def pair_runs(nb_runs: list[MlflowRun], fl_runs: list[MlflowRun]) -> None:
    """Give each flow run the key of the notebook run it matches by content.

    Candidates share the experiment and the parameter names; the best has the most equal
    parameter values, then the same run name, then the nearest start order. A flow run
    that matches none keeps a key of its own (``<experiment>/flow run <n>``).
    """
    free = sorted(fl_runs, key=lambda r: (r.start, r.run_id))
    order = {id(r): i for i, r in enumerate(free)}
    extra: dict[str, int] = {}
    taken: set[int] = set()
    for a in sorted(nb_runs, key=lambda r: (r.start, r.run_id)):
        candidates = [b for b in free if id(b) not in taken and b.experiment == a.experiment
                      and b.params.keys() == a.params.keys()]
        if not candidates:
            continue
        best = max(candidates, key=lambda b: (
            sum(b.params[k] == v for k, v in a.params.items()), b.name == a.name,
            -order[id(b)]))
        taken.add(id(best))
        best.key = a.key
    for b in free:
        if id(b) not in taken:
            extra[b.experiment] = extra.get(b.experiment, 0) + 1
            b.key = f"{b.experiment}/flow run {extra[b.experiment]}"


def rename_paths(changed: dict[str, str], runs: list[MlflowRun],
                 databases: set[str]) -> dict[str, tuple[str, str]]:
    """name -> (state, path): MLflow's bookkeeping removed, artifacts named by run key.

    ``mlruns/0/<run id>/artifacts/model.pkl`` -> ``mlflow:Default/run 1/artifacts/model.pkl``;
    a run's params, metrics, tags and meta files, experiment folders' meta files and the
    database are shown as MLflow rows instead.
    """
    if not runs:
        return {path: (state, path) for path, state in changed.items()}
    keys = {r.run_id: r.key for r in runs}
    out = {}
    for path, state in changed.items():
        parts = path.split("/")
        hit = next((i for i, part in enumerate(parts) if part in keys), None)
        if path in databases:
            continue
        if hit is None:
            if "mlruns" in parts and (parts[-1] == "meta.yaml" or ".trash" in parts
                                      or "models" in parts[parts.index("mlruns"):]):
                continue
            out[path] = (state, path)
            continue
        rest = parts[hit + 1:]
        if rest[:1] == ["artifacts"]:
            out[f"mlflow:{keys[parts[hit]]}/{'/'.join(rest)}"] = (state, path)
    return out
