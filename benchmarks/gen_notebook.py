"""Deterministic synthetic notebooks with realistic dataflow, for the scaling benchmark.

``python benchmarks/gen_notebook.py 1000 out.ipynb`` writes a notebook of 1,000 code cells.

What a cell may hold (chosen with a seeded ``random.Random``, so a size always gives the
same notebook): a pandas merge of two earlier frames, a derived column on an existing
frame, a function definition and later calls of it, a groupby summary, a filter, a plot
(with a small PNG output), a displayed ``df.head()`` (with an HTML output), a print, a
file written every ~50 cells (so pruning has outputs to keep), several statements in a
cell. Imports sit at the top, a markdown heading comes every ~10 cells. Reads mostly pick
frames defined in the last ~40 cells, sometimes any earlier one, as notebooks do.
"""

from __future__ import annotations

import base64
import json
import random
import sys
from pathlib import Path

IMPORTS = """import numpy as np
import pandas as pd
import matplotlib.pyplot as plt
import seaborn as sns
from sklearn.linear_model import LinearRegression
from sklearn.metrics import mean_squared_error"""

# A tiny valid PNG, repeated so plot outputs weigh a few KiB as real ones do (at least).
_PNG = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
    ) * 60
).decode()


class _Gen:
    def __init__(self, n_cells: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.n = n_cells
        self.frames: list[str] = []  # frames defined so far, in order
        self.functions: list[str] = []
        self.count = 0  # execution counter
        self.cells: list[dict] = []
        self.k = 0  # name counter

    # -- helpers ----------------------------------------------------------------
    def pick(self) -> str:
        if self.rng.random() < 0.85:
            return self.rng.choice(self.frames[-40:])
        return self.rng.choice(self.frames)

    def new(self, prefix: str = "df") -> str:
        self.k += 1
        return f"{prefix}_{self.k}"

    def code(self, source: str, outputs: list[dict] | None = None) -> None:
        self.count += 1
        self.cells.append({
            "cell_type": "code", "execution_count": self.count, "id": f"c{len(self.cells)}",
            "metadata": {}, "outputs": outputs or [], "source": _lines(source),
        })

    def markdown(self, source: str) -> None:
        self.cells.append({"cell_type": "markdown", "id": f"m{len(self.cells)}",
                           "metadata": {}, "source": _lines(source)})

    # -- cell kinds -------------------------------------------------------------
    def load(self) -> None:
        # ``raw_N``, not ``df_N``: nb2flow 0.1.0 names the path parameter of
        # ``df_1 = pd.read_parquet(...)`` ``1_path`` and crashes (reported to the lead).
        name = self.new("raw")
        self.code(f'{name} = pd.read_parquet("data/input_{self.k}.parquet")\n'
                  f'{name}["id"] = np.arange(len({name}))')
        self.frames.append(name)

    def merge(self) -> None:
        a, b, name = self.pick(), self.pick(), self.new()
        self.code(f'{name} = {a}.merge({b}, on="id", how="left")')
        self.frames.append(name)

    def column(self) -> None:
        a = self.pick()
        col = self.rng.choice("abcxyz")
        op = self.rng.choice(["* 2", "+ 1", "/ 3.5", "** 2"])
        self.code(f'{a}["{col}_{self.k}"] = {a}.a {op}')
        self.k += 1

    def function(self) -> None:
        fn = f"add_features_{len(self.functions) + 1}"
        self.code(
            f"def {fn}(frame, scale=2):\n"
            f'    """Feature block {len(self.functions) + 1}."""\n'
            f"    out = frame.copy()\n"
            f'    out["f"] = out.a * scale\n'
            f'    out["g"] = np.log1p(out.b.abs())\n'
            f"    return out"
        )
        self.functions.append(fn)

    def call(self) -> None:
        if not self.functions:
            return self.merge()
        fn, a, name = self.rng.choice(self.functions), self.pick(), self.new()
        self.code(f"{name} = {fn}({a}, scale={self.rng.randint(1, 5)})")
        self.frames.append(name)

    def summary(self) -> None:
        a, name = self.pick(), self.new("summary")
        self.code(f'{name} = {a}.groupby("g").agg({{"a": "mean", "b": "sum"}}).reset_index()\n'
                  f'{name}', [_html(name)])
        self.frames.append(name)

    def filter(self) -> None:
        a, name = self.pick(), self.new()
        self.code(f"{name} = {a}[({a}.a > 0) & ({a}.b < 100)].copy()")
        self.frames.append(name)

    def plot(self) -> None:
        a = self.pick()
        if self.rng.random() < 0.5:
            src = f"{a}.a.plot.hist(bins=20)"
        else:
            src = f"plt.figure(figsize=(8, 4))\nsns.histplot({a}.b)\nplt.show()"
        self.code(src, [_png()])

    def display(self) -> None:
        a = self.pick()
        self.code(f"{a}.head()", [_html(a)])

    def print_(self) -> None:
        a = self.pick()
        self.code(f'print(len({a}), {a}.a.mean())',
                  [{"name": "stdout", "output_type": "stream", "text": ["1000 0.5\n"]}])

    def model(self) -> None:
        a, m = self.pick(), self.new("model")
        self.code(f'{m} = LinearRegression()\n{m}.fit({a}[["a", "b"]], {a}.y)\n'
                  f'rmse_{self.k} = mean_squared_error({a}.y, {m}.predict({a}[["a", "b"]])) ** 0.5\n'
                  f'print(rmse_{self.k})')

    def save(self) -> None:
        a = self.pick()
        self.code(f'{a}.to_parquet("output/result_{self.k}.parquet")')
        self.k += 1

    # -- the notebook -----------------------------------------------------------
    def build(self) -> dict:
        self.markdown("# Synthetic feature pipeline\n\nGenerated for the nb2flow scaling "
                      "benchmark.")
        self.code(IMPORTS)
        for _ in range(3):
            self.load()
        kinds = [
            (self.merge, 14), (self.column, 18), (self.function, 4), (self.call, 10),
            (self.summary, 8), (self.filter, 10), (self.plot, 8), (self.display, 8),
            (self.print_, 6), (self.model, 3), (self.load, 2),
        ]
        funcs, weights = zip(*kinds)
        code_cells = 4
        while code_cells < self.n:
            if code_cells % 10 == 0:
                self.markdown(f"## Step {code_cells // 10}: {self.rng.choice(_TOPICS)}")
            if code_cells % 50 == 49:
                self.save()
            else:
                self.rng.choices(funcs, weights)[0]()
            code_cells += 1
        self.save()
        return {
            "cells": self.cells,
            "metadata": {
                "kernelspec": {"display_name": "Python 3", "language": "python",
                               "name": "python3"},
                "language_info": {"name": "python", "version": "3.11.7",
                                  "file_extension": ".py", "mimetype": "text/x-python",
                                  "nbconvert_exporter": "python",
                                  "pygments_lexer": "ipython3"},
            },
            "nbformat": 4,
            "nbformat_minor": 5,
        }


_TOPICS = ["cleaning", "joining sources", "feature engineering", "aggregates",
           "sanity checks", "model inputs", "exploration", "outliers"]


def _lines(source: str) -> list[str]:
    return source.splitlines(keepends=True)


def _png() -> dict:
    return {"data": {"image/png": _PNG, "text/plain": ["<Figure size 800x400 with 1 Axes>"]},
            "metadata": {}, "output_type": "display_data"}


def _html(name: str) -> dict:
    rows = "".join(f"<tr><th>{i}</th><td>{i * 0.5}</td><td>{i * 2}</td></tr>" for i in range(5))
    return {"data": {"text/html": [f"<table><thead><tr><th></th><th>a</th><th>b</th></tr>"
                                   f"</thead><tbody>{rows}</tbody></table>"],
                     "text/plain": [f"   a  b\n0  0.0  0  # {name}"]},
            "execution_count": None, "metadata": {}, "output_type": "execute_result"}


def notebook(n_cells: int, seed: int = 8) -> dict:
    """A notebook with ``n_cells`` code cells (plus markdown), the same for the same seed."""
    return _Gen(n_cells, seed).build()


def write(n_cells: int, path: Path, seed: int = 8) -> Path:
    nb = notebook(n_cells, seed)
    for cell in nb["cells"]:  # the execute_result counts follow their cell
        for out in cell.get("outputs", ()):
            if out["output_type"] == "execute_result":
                out["execution_count"] = cell["execution_count"]
    path.write_text(json.dumps(nb, indent=1) + "\n", encoding="utf-8")
    return path


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: gen_notebook.py N_CELLS OUT.ipynb")
    write(int(sys.argv[1]), Path(sys.argv[2]))
