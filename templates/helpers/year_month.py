# A helper nb2flow copies into generated scripts (nb2flow/plan/helpers.py): the code
# below the imports, as is. Kept as a real module so that it is linted and tested.

def year_month(year: int, month: int, offset: int = 0) -> str:
    """The month ``offset`` months after ``year``-``month``, as ``YYYY-MM``."""
    index = year * 12 + month - 1 + offset
    return f"{index // 12:04d}-{index % 12 + 1:02d}"
