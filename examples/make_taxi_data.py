"""Synthetic NYC green taxi trip data, shaped like the TLC's monthly parquet files.

    python examples/make_taxi_data.py --out data --months 2021-01 2021-02 --rows 2000

writes ``data/green_tripdata_2021-01.parquet`` and ``data/green_tripdata_2021-02.parquet``
with the real column names and dtypes. The output is deterministic: the same arguments give
byte-identical files. Trip durations follow the trip distance and a fixed speed for each
pickup/dropoff zone pair, so a linear model on ``PU_DO`` and ``trip_distance`` learns
something; about 2% of trips are shorter than a minute and 2% longer than an hour.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

# Zones green taxis serve most (Harlem, Bronx, Brooklyn, Queens), most popular first.
# The last two are the airports (JFK, LaGuardia): far away and rarely asked for.
ZONES = np.array([74, 75, 41, 42, 166, 7, 82, 95, 97, 129, 244, 260, 181, 65, 116,
                  152, 255, 25, 33, 61, 56, 226, 247, 69, 49, 17, 40, 112, 80, 159, 132, 138])
_geo = np.random.default_rng(20210101)  # fixed: the city does not change between months
_XY = np.vstack([_geo.uniform(0, 4.5, size=(len(ZONES) - 2, 2)), [[14.0, 1.0], [8.0, 6.0]]])
_SPEED = _geo.uniform(8, 18, size=len(ZONES))            # typical mph around each zone
_PAIR = _geo.normal(0, 2.0, size=(len(ZONES), len(ZONES)))  # extra minutes per PU->DO pair
_WEIGHTS = 1 / np.arange(1, len(ZONES) + 1) ** 0.9
_WEIGHTS[-2:] = _WEIGHTS[-3] / 3
_WEIGHTS /= _WEIGHTS.sum()


def make_month(year: int, month: int, rows: int = 2000, seed: int | None = None) -> pd.DataFrame:
    """One month of green taxi trips; ``seed`` defaults to one derived from year and month."""
    rng = np.random.default_rng(year * 100 + month if seed is None else seed)
    start = pd.Timestamp(year, month, 1)
    span = ((start + pd.offsets.MonthBegin(1)) - start).total_seconds()
    pickup = start + pd.to_timedelta(np.sort(rng.uniform(0, span, rows)).round(), unit="s")

    pu, do = rng.choice(len(ZONES), rows, p=_WEIGHTS), rng.choice(len(ZONES), rows, p=_WEIGHTS)
    straight = np.hypot(*(_XY[pu] - _XY[do]).T)
    distance = np.round(np.maximum(straight * 1.3 + rng.gamma(1.5, 0.5, rows), 0.1), 2)
    mph = (_SPEED[pu] + _SPEED[do]) / 2 * rng.lognormal(0, 0.25, rows)
    minutes = 60 * distance / mph + 2 + _PAIR[pu, do] + rng.normal(0, 2, rows)
    minutes = np.clip(minutes, 1.5, None)

    odd = rng.random(rows)
    short, long_ = odd < 0.02, odd > 0.98  # cancelled or instantly ended; meter left running
    minutes[short] = rng.uniform(0, 0.95, short.sum())
    distance[short] = np.round(rng.uniform(0, 0.1, short.sum()), 2)
    minutes[long_] = rng.uniform(61, 240, long_.sum())
    dropoff = pickup + pd.to_timedelta(np.round(minutes * 60), unit="s")

    street = rng.random(rows) < 0.93            # rows from the LPEP with full metadata
    payment = np.where(rng.random(rows) < 0.55, 1.0, 2.0)  # credit card / cash
    ratecode = np.where(rng.random(rows) < 0.97, 1.0, 5.0)
    fare = np.round(2.5 + 2.5 * distance + 0.4 * np.maximum(minutes, 0).clip(0, 90), 1)
    extra = rng.choice([0.0, 0.5, 1.0], rows, p=[0.5, 0.3, 0.2])
    mta_tax = np.where(ratecode == 1.0, 0.5, 0.0)
    tip = np.where(payment == 1.0, np.round(fare * rng.uniform(0.1, 0.25, rows), 2), 0.0)
    tolls = np.where(rng.random(rows) < 0.03, 6.12, 0.0)
    congestion = np.where(rng.random(rows) < 0.2, 2.75, 0.0)
    total = np.round(fare + extra + mta_tax + tip + tolls + 0.3 + congestion, 2)

    def known(values: np.ndarray) -> np.ndarray:
        return np.where(street, values, np.nan)

    return pd.DataFrame({
        "VendorID": np.where(rng.random(rows) < 0.8, 2, 1).astype("int64"),
        "lpep_pickup_datetime": pickup.as_unit("us"),
        "lpep_dropoff_datetime": dropoff.as_unit("us"),
        "store_and_fwd_flag": pd.Series(np.where(rng.random(rows) < 0.01, "Y", "N"))
                              .where(street, None).astype(object),
        "RatecodeID": known(ratecode),
        "PULocationID": ZONES[pu].astype("int64"),
        "DOLocationID": ZONES[do].astype("int64"),
        "passenger_count": known(rng.choice([1.0, 2.0, 3.0, 5.0], rows, p=[.82, .1, .04, .04])),
        "trip_distance": distance,
        "fare_amount": fare,
        "extra": extra,
        "mta_tax": mta_tax,
        "tip_amount": tip,
        "tolls_amount": tolls,
        "ehail_fee": pd.Series([None] * rows, dtype=object),
        "improvement_surcharge": np.full(rows, 0.3),
        "total_amount": total,
        "payment_type": known(payment),
        "trip_type": known(np.where(ratecode == 5.0, 2.0, 1.0)),
        "congestion_surcharge": known(congestion),
    })


def write_months(
    out_dir: str | Path, months: list[tuple[int, int]], rows: int = 2000
) -> list[Path]:
    """Write ``green_tripdata_YYYY-MM.parquet`` for each ``(year, month)``; return the paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for year, month in months:
        path = out / f"green_tripdata_{year:04d}-{month:02d}.parquet"
        make_month(year, month, rows).to_parquet(path, engine="pyarrow", index=False)
        paths.append(path)
    return paths


def _month(text: str) -> tuple[int, int]:
    year, month = text.split("-")
    return int(year), int(month)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="data", help="output folder (default: data)")
    parser.add_argument("--months", nargs="+", type=_month, default=[(2021, 1), (2021, 2)],
                        metavar="YYYY-MM", help="months to write (default: 2021-01 2021-02)")
    parser.add_argument("--rows", type=int, default=2000, help="trips per month (default: 2000)")
    args = parser.parse_args(argv)
    for path in write_months(args.out, args.months, args.rows):
        print(path)


if __name__ == "__main__":
    main()
