#!/usr/bin/env bash
# Install nb2flow with its test dependencies into .venv and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[dev,dask]'
.venv/bin/python -m pytest -n 2 --dist loadgroup "$@"  # test_deployment: one worker per xdist_group ("prefect-server")
