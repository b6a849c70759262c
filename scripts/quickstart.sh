#!/usr/bin/env bash
# Install nb2flow, convert the example notebook and run the flow it produced.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[examples]'
.venv/bin/python examples/make_taxi_data.py --out data --months 2021-01 2021-02
.venv/bin/nb2flow convert examples/notebooks/duration_prediction.ipynb
.venv/bin/python examples/notebooks/duration_prediction.py --help
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="${PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS:-90}"
export PREFECT_SERVER_ANALYTICS_ENABLED="${PREFECT_SERVER_ANALYTICS_ENABLED:-false}"
.venv/bin/python examples/notebooks/duration_prediction.py \
    --train-path data/green_tripdata_2021-01.parquet \
    --val-path data/green_tripdata_2021-02.parquet
ls -l models/
