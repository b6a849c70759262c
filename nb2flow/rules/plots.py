"""Plots and displays: what only draws or shows (data only)."""

from __future__ import annotations

import re

#: Modules whose import means "plotting or display".
PLOT_MODULES = (
    "matplotlib", "seaborn", "plotly", "bokeh", "altair", "missingno", "pandas.plotting",
    "IPython.display", "yellowbrick", "scikitplot", "wordcloud", "folium", "pyLDAvis",
    "ydata_profiling", "pandas_profiling", "sweetviz", "graphviz", "hvplot", "holoviews",
)

#: Names a notebook can use without importing them, that only display.
DISPLAY_BUILTINS = {"display", "HTML", "Markdown", "Image"}

#: Methods that draw (``df.plot()``, ``df.hist()``, ``df.plot.scatter()``).
PLOT_METHODS = {"plot", "hist", "boxplot", "scatter_matrix", "style", "plot_tree", "show"}

#: Calls whose value, shown as the last line of a cell, is a result worth logging.
METRIC_CALL = re.compile(
    r"(error|score|accuracy|rmse|mse|mae|mape|auc|r2|f1|precision|recall|loss|metric)",
    re.IGNORECASE,
)

#: A variable that holds a metric (``auc``, ``rmse_val``, ``test_accuracy``): shown as the
#: last line of a cell, it is a result worth logging.
METRIC_VARIABLE = re.compile(
    r"^(?:[a-z0-9]+_)*(?:rmse|mse|mae|mape|auc|roc_auc|r2|f1|accuracy|acc|precision|recall|"
    r"logloss|log_loss)(?:_[a-z0-9]+)*$"
)
