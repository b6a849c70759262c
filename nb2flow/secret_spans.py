"""Where the secret is inside a string: the pure detection core of :mod:`nb2flow.secrets`.

A string holds a secret in one of these forms (each a :class:`Span` of the string):

- the password of a URL of any scheme (``postgresql+psycopg2://``, ``mongodb+srv://``,
  ``jdbc:mysql://``, ``redis://:pw@``, ``amqp://``), with any characters, percent-encoded
  or not;
- the value of a query-string or JDBC key (``apikey``, ``api_key``, ``key``, ``token``,
  ``access_token``, ``sig``, ``signature``, ``client_secret``, ``password`` ...);
- the value of an ``Authorization`` / ``X-API-Key`` header (after ``Bearer``, ``Basic``,
  ``Token``);
- a provider token (AWS, GitHub, GitLab, Slack, OpenAI, Stripe, Google, SendGrid, npm,
  PyPI, JWT, private key) anywhere in the string;
- the whole string, when it is bound to a name like a credential (``password=``,
  ``aws_secret_access_key=``, ``os.environ["API_TOKEN"] = ...``) and detect-secrets'
  plugins recognise it or it looks random.

:func:`mask` applies the same detection to free text (a cell's lines for ``-v``, an error
message) and shows each secret as ``***``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

MASK = "***"

#: Names of variables, keywords, dict keys and environment variables holding credentials.
SECRET_NAME = re.compile(
    r"(pass(word|wd)?|pwd|secret|token|api_?key|access_?key|private_?key|_key$|^key$|"
    r"credential|auth|dsn|conn(ection)?_?str|signature)", re.IGNORECASE,
)
#: Names whose value is a credential whatever it looks like (``password="hunter2"``).
_STRONG_NAME = re.compile(
    r"(passw(or)?d|passwd|secret|api_?key|access_?key|private_?key|token)", re.IGNORECASE,
)
#: Names that hold a secret-like word but name something else (``token_pattern``).
_NOT_SECRET_NAME = re.compile(
    r"(_(pattern|type|url|uri|endpoint|path|file|dir|name|id|col|column|length|len|size)s?$|"
    r"^(key|token)_(column|col|field|name|type)|tokeni[sz]|^auth_?(type|method|mode)$)",
    re.IGNORECASE,
)
HEADER_NAMES = re.compile(
    r"^(authorization|proxy-authorization|x-api-key|api-key|apikey|x-auth-token|"
    r"x-access-token|x-api-token|private-token|x-goog-api-key|ocp-apim-subscription-key)$",
    re.IGNORECASE,
)
_AUTH_SCHEME = re.compile(r"^(bearer|basic|token|apikey|api-key|digest)\s+", re.IGNORECASE)
#: Query-string (and JDBC ``;key=value``) keys whose value is a credential.
_QUERY_STRONG = ("apikey|api_key|api-key|access_token|accesstoken|client_secret|password|passwd|"
                 "pwd|secret|signature|auth_token|private_token|x-api-key|subscription-key")
_QUERY_WEAK = "key|token|sig|auth|code"
_QUERY = re.compile(
    rf"(?P<sep>[?&;])(?P<key>{_QUERY_STRONG}|{_QUERY_WEAK})=(?P<value>[^&;#\s'\"]+)",
    re.IGNORECASE,
)
_HEADER_IN_TEXT = re.compile(
    r"(?P<key>authorization|proxy-authorization|x-api-key|api-key|x-auth-token|private-token)"
    r"\s*:\s*(?:(?:bearer|basic|token)\s+)?(?P<value>[^\s'\"]{6,})", re.IGNORECASE,
)
_URL_AUTH = re.compile(
    r"(?P<scheme>(?:[A-Za-z][A-Za-z0-9+.\-]*:)+)//(?P<authority>[^/?#\s'\"]*)"
)
#: Provider tokens, found anywhere inside a string.
PROVIDER_TOKENS = [
    ("AWS Access Key", r"(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}"),
    ("GitHub Token", r"(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{30,})"),
    ("GitLab Token", r"glpat-[A-Za-z0-9_\-]{20,}"),
    ("Slack Token", r"xox[abposr]-[A-Za-z0-9\-]{10,}"),
    ("Slack Webhook", r"https://hooks\.slack\.com/services/[A-Za-z0-9/_\-]+"),
    ("Stripe Access Key", r"(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}"),
    ("OpenAI Token", r"sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{20,}"),
    ("Anthropic Token", r"sk-ant-[A-Za-z0-9_\-]{20,}"),
    ("Google API Key", r"AIza[0-9A-Za-z_\-]{35}"),
    ("SendGrid API Key", r"SG\.[A-Za-z0-9_\-]{16,}\.[A-Za-z0-9_\-]{16,}"),
    ("NPM Token", r"npm_[A-Za-z0-9]{36}"),
    ("PyPI Token", r"pypi-[A-Za-z0-9_\-]{50,}"),
    ("Hugging Face Token", r"hf_[A-Za-z0-9]{30,}"),
    ("JSON Web Token", r"eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}"),
    ("Private Key", r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE"
                    r" KEY-----|$)"),
]
_PROVIDER = re.compile("|".join(f"(?P<p{i}>{rx})" for i, (_, rx) in enumerate(PROVIDER_TOKENS)))
_ENTROPY_PLUGINS_SKIPPED = {"Base64 High Entropy String", "Hex High Entropy String",
                            "Public IP (ipv4)"}


@dataclass(frozen=True)
class Span:
    """``value[start:end]`` is a secret; ``key`` names it (the query key, ``password``,
    the header, the token kind), ``kind`` says what recognised it."""

    start: int
    end: int
    key: str
    kind: str


def spans(value: str, name: str = "") -> list[Span]:
    """The secrets inside ``value``, a string bound to ``name`` ("" when unnamed)."""
    if len(value) < 4:
        return []
    found: list[Span] = []
    whole = _whole(value, name)
    if whole is not None:
        return [Span(0, len(value), name or _slug(whole), whole)]
    if name and HEADER_NAMES.match(name):
        rest = _AUTH_SCHEME.match(value)
        start = rest.end() if rest else 0
        if len(value) - start >= 6:
            return [Span(start, len(value), name, f"{name} header")]
    for m in _HEADER_IN_TEXT.finditer(value):
        found.append(Span(m.start("value"), m.end("value"), m.group("key").lower(),
                          f"{m.group('key')} header"))
    for m in _URL_AUTH.finditer(value):
        authority = m.group("authority")
        if "@" not in authority:
            continue
        userinfo = authority.rsplit("@", 1)[0]
        if ":" not in userinfo:
            continue
        pw_start = m.start("authority") + userinfo.index(":") + 1
        pw_end = m.start("authority") + len(userinfo)
        if pw_end > pw_start:
            found.append(Span(pw_start, pw_end, "password", "password in a URL"))
    for m in _QUERY.finditer(value):
        key, secret = m.group("key"), m.group("value")
        weak = re.fullmatch(_QUERY_WEAK, key, re.IGNORECASE) is not None
        if secret.startswith("{") or (weak and not _looks_random(secret)):
            continue
        if not any(s.start <= m.start("value") < s.end for s in found):
            found.append(Span(m.start("value"), m.end("value"), key.lower(),
                              f"{key} in a query string"))
    for m in _PROVIDER.finditer(value):
        kind = PROVIDER_TOKENS[int(m.lastgroup[1:])][0]
        if not any(s.start < m.end() and m.start() < s.end for s in found):
            found.append(Span(m.start(), m.end(), _slug(kind), kind))
    found.sort(key=lambda s: s.start)
    if len(found) == 1 and found[0].start == 0 and found[0].end == len(value):
        return [Span(0, len(value), name or found[0].key, found[0].kind)]
    return found


def _whole(value: str, name: str) -> str | None:
    """What recognised ``value`` as a secret as a whole, or None."""
    named = bool(name) and SECRET_NAME.search(name) is not None and not (
        _NOT_SECRET_NAME.search(name))
    if not named or "://" in value or HEADER_NAMES.match(name):
        return None
    if len(value) < 6 or " " in value.strip():
        return None
    kind = detect(name, value)
    if kind is not None:
        return kind
    if _STRONG_NAME.search(name) and not _looks_like_path(value):
        return "credential assigned to a secret-like name"
    if _looks_random(value):
        return "high-entropy string assigned to a secret-like name"
    return None


def detect(name: str, value: str) -> str | None:
    """The detect-secrets plugin (pattern plugins only, not entropy) that recognises
    ``name = "value"``, or None."""
    from detect_secrets.core.scan import scan_line
    from detect_secrets.settings import default_settings

    safe_name = re.sub(r"\W", "_", name) or "value"
    with default_settings():
        for secret in scan_line(f'{safe_name} = "{value}"'):
            if secret.type not in _ENTROPY_PLUGINS_SKIPPED:
                return secret.type
    return None


def _looks_like_path(value: str) -> bool:
    return bool(re.search(r"[/\\]", value) and re.search(r"\.[A-Za-z0-9]{1,5}$", value))


def _looks_random(value: str) -> bool:
    if len(value) < 8 or " " in value or "/" in value and "." in value.rsplit("/", 1)[-1]:
        return False
    counts = {ch: value.count(ch) for ch in set(value)}
    entropy = -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())
    return entropy >= 3.0


def _slug(kind: str) -> str:
    return re.sub(r"\W+", "_", kind).strip("_").lower() or "secret"


# ------------------------------------------------------------------------- text

_QUOTED = re.compile(r"""(?P<q>'|")(?P<body>(?:\\.|(?!(?P=q)).)*)(?P=q)""")
_BOUND = re.compile(r"""(?P<name>[A-Za-z_][\w\-]*)['"]?\s*\]?\s*(?:=|:)\s*$""")
_ENV_LINE = re.compile(r"(?P<name>\b[A-Za-z_][A-Za-z0-9_]*)\s*=\s*(?P<body>[^\s'\"#;]+)")


def mask(text: str) -> str:
    """``text`` with every secret it quotes (or holds in ``NAME=value`` form) as ``***``.

    For lines of code (``-v`` context), error messages and anything else nb2flow prints
    that may quote the notebook."""
    out: list[str] = []
    last = 0
    for m in _QUOTED.finditer(text):
        body_start = m.start("body")
        bound = _BOUND.search(text, max(0, m.start() - 80), m.start())
        name = bound.group("name") if bound else ""
        found = spans(m.group("body"), name)
        for s in found:
            out.append(text[last:body_start + s.start])
            out.append(MASK)
            last = body_start + s.end
    out.append(text[last:])
    masked = "".join(out)
    masked = _PROVIDER.sub(MASK, masked)  # tokens outside quotes (a shell line, a comment)
    return _ENV_LINE.sub(
        lambda m: m.group(0) if m.group("body") == MASK or not _whole(
            m.group("body"), m.group("name")) else f"{m.group('name')}={MASK}",
        masked,
    )
