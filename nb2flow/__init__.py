"""nb2flow: turn an experimental Jupyter notebook into a production Prefect 3 pipeline."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["ConvertOptions", "ConvertResult", "Nb2FlowError", "build", "convert"]


def __getattr__(name: str):  # lazy: `import nb2flow` stays cheap
    if name in ("ConvertOptions", "ConvertResult", "build", "convert"):
        from . import pipeline

        return getattr(pipeline, name)
    if name == "Nb2FlowError":
        from .errors import Nb2FlowError

        return Nb2FlowError
    raise AttributeError(name)
