"""``nb2flow verify``: run the notebook and the flow made of it, compare what both produced.

Each side runs in its own temporary copy of the working directory, so the user's files are
never touched:

- :mod:`.workspace` copies the working directory and snapshots files before and after;
- :mod:`.notebook_run` executes the notebook cell by cell with nbclient;
- :mod:`.flow_run` runs the generated script as a real Prefect flow in a subprocess;
- :mod:`.values` finds the numbers both printed (``rmse: 5.2``);
- :mod:`.content` compares files by content (pickles, tables, JSON, arrays) with a tolerance;
- :mod:`.mlflow_store` reads MLflow runs logged to a local store;
- :mod:`.hints` explains differences (unseeded randomness, dropped cells);
- :mod:`.compare` pairs what both sides produced into report rows;
- :mod:`.report` prints them (rich table or JSON);
- :mod:`.run` puts it together for the CLI.

nbclient, ipykernel and Prefect are imported lazily: the Prefect flow runs in a subprocess.
"""

from .model import Report, VerifyOptions

__all__ = ["Report", "VerifyOptions"]
