"""Knowledge about data-science libraries and notebooks, as tables the stages read.

One module per concern, data only:

- :mod:`.calls`: which calls only compute a value, which read or write files;
- :mod:`.plots`: what draws or displays;
- :mod:`.pipeline`: sinks, reports, effects and models (the pipeline-semantics stage);
- :mod:`.shell`: what shell commands do.

The names most stages need are re-exported here.
"""

from .calls import (
    HTTP_CLIENTS,
    INPLACE_KEYWORD,
    PATH_SUFFIXES,
    PURE_FUNCTIONS,
    PURE_METHODS,
    READ_CALL,
    WRITE_CALL,
)
from .plots import DISPLAY_BUILTINS, METRIC_CALL, METRIC_VARIABLE, PLOT_METHODS, PLOT_MODULES

__all__ = [
    "DISPLAY_BUILTINS", "HTTP_CLIENTS", "INPLACE_KEYWORD", "METRIC_CALL", "METRIC_VARIABLE",
    "PATH_SUFFIXES",
    "PLOT_METHODS", "PLOT_MODULES", "PURE_FUNCTIONS", "PURE_METHODS", "READ_CALL",
    "WRITE_CALL",
]
