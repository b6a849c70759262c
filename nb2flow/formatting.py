"""Stage 6: format the generated source with black."""

from __future__ import annotations


def format_code(source: str, line_length: int = 88) -> str:
    import black  # imported here: only the final text is formatted

    return black.format_str(source, mode=black.Mode(line_length=line_length))
