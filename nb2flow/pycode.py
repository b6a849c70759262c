"""Text into generated code: the one place that escapes a text for a string literal or a
docstring of the script (titles, headings, descriptions, paths, shell commands)."""

from __future__ import annotations


def string_body(text: str) -> str:
    """``text`` escaped for the inside of a double-quoted literal (or f-string)."""
    return text.replace("\\", "\\\\").replace('"', '\\"')


def string(text: str) -> str:
    """A double-quoted Python string literal (black's style)."""
    return f'"{string_body(text)}"'


def docstring_body(text: str) -> str:
    """Notebook text (a title, a description) made safe inside a triple-quoted docstring:
    backslashes and quotes escaped, never ending in a quote."""
    text = str(text).replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    if text.endswith('"'):
        body = text[:-1]
        if (len(body) - len(body.rstrip("\\"))) % 2 == 0:  # the quote is not escaped yet
            text = body + '\\"'
    return text


def docstring(text: str) -> str:
    """A one-line docstring, ``\"\"\"text\"\"\"``, whatever quotes ``text`` holds."""
    return f'"""{docstring_body(text)}"""'
