# A helper nb2flow copies into generated scripts (nb2flow/plan/helpers.py): the code
# below the imports, as is. Kept as a real module so that it is linted and tested.

def scheduled_month(YEAR: int, MONTH: int, offset: int = -1) -> tuple[int, int]:
    """``YEAR`` and ``MONTH``, except in a run that a deployment's schedule started
    without them: then the month ``offset`` months from the run's scheduled time (UTC),
    -1 for the month before it, 0 for its own month."""
    from prefect.context import get_run_context

    # the run as it was created: its tags, and only the parameters it was given
    run = get_run_context().flow_run
    given = {"YEAR", "MONTH"} & set(run.parameters)
    if "auto-scheduled" not in run.tags or given:
        return YEAR, MONTH
    when = run.expected_start_time
    YEAR, MONTH = divmod(when.year * 12 + when.month - 1 + offset, 12)
    print(f"run scheduled at {when:%Y-%m-%d %H:%M %Z}: data of {YEAR}-{MONTH + 1:02d}")
    return YEAR, MONTH + 1
