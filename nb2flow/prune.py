"""Stage: drop what the pipeline is not for (plots and displays went in classify).

The decisions are the pipeline-semantics model's (:mod:`nb2flow.semantics`): sinks,
reports, effects and the work they need are kept; experiments and everything else are
dropped with a reason.
"""

from __future__ import annotations

from .ir import Classified
from .semantics import decide


def prune(c: Classified, keep_experiments: bool = False) -> Classified:
    return decide(c, keep_experiments=keep_experiments)
