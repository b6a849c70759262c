from prefect import flow


@flow(name="nightly-report")
def nightly(region: str = "us", days: int = 1):
    print(region, days)
