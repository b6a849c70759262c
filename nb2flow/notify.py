"""Flow state hooks that send a message through a Prefect notification block.

``convert --notify failure,completion --notify-block slack-webhook/ml-alerts`` adds, to the
generated script, one hook function per event and ``on_failure=[notify_failure]`` ...
keyword arguments to ``@flow``. The message goes through a block saved on the Prefect
server (``prefect block ls`` lists them as ``TYPE/NAME``), so no URL or password is ever
written into the script:

- any notification block of Prefect (``slack-webhook``, ``ms-teams-webhook``,
  ``discord-webhook``, ``custom-webhook``, ``sendgrid-email`` ...): ``Block.load(name)``,
  then ``.notify(body, subject=...)``;
- ``email-server-credentials`` (the prefect-email collection): an email to the
  ``--notify-to`` addresses, sent with the block's SMTP server.

This module returns source text only (:class:`NotifyCode`); the plan puts the imports,
the functions and the decorator keywords into the flow (``ir.Flow.imports``,
``module_code`` and ``flow_options``). Nothing here imports prefect.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import Nb2FlowError
from .identifiers import unique
from .pycode import string

#: --notify event -> (keyword of @flow, what happened, in words)
EVENTS = {
    "failure": ("on_failure", "failed"),
    "completion": ("on_completion", "completed"),
    "crashed": ("on_crashed", "crashed"),
    "cancellation": ("on_cancellation", "was cancelled"),
}

#: block type slug -> class in prefect.blocks.notifications (Prefect 3.8)
NOTIFICATION_BLOCKS = {
    "slack-webhook": "SlackWebhook",
    "ms-teams-webhook": "MicrosoftTeamsWebhook",
    "discord-webhook": "DiscordWebhook",
    "mattermost-webhook": "MattermostWebhook",
    "opsgenie-webhook": "OpsgenieWebhook",
    "pager-duty-webhook": "PagerDutyWebHook",
    "twilio-sms": "TwilioSMS",
    "sendgrid-email": "SendgridEmail",
    "custom-webhook": "CustomWebhookNotificationBlock",
}
EMAIL_BLOCK = "email-server-credentials"  # prefect_email.EmailServerCredentials

_SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")
_EMAIL = re.compile(r"[^@\s,]+@[^@\s,]+")


_q = string  # a double-quoted Python string literal (black's style)


@dataclass(frozen=True)
class NotifyCode:
    """Source text for the generated script."""

    imports: tuple[str, ...]  # import lines, e.g. "from prefect.blocks... import X"
    sources: tuple[str, ...]  # module-level function definitions (the hooks), one each
    flow_options: tuple[str, ...]  # keyword arguments of @flow, e.g. "on_failure=[...]"
    functions: tuple[str, ...]  # the names it defines


def parse_events(text: str | list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """``"failure,completion"`` (or repeated options) -> ("failure", "completion")."""
    parts = [text] if isinstance(text, str) else list(text)
    events = [e.strip().lower() for part in parts for e in part.split(",") if e.strip()]
    for event in events:
        if event not in EVENTS:
            raise Nb2FlowError("NB2F012", f"--notify {event!r}: use "
                               f"{', '.join(EVENTS)} (comma-separated)")
    if not events:
        raise Nb2FlowError("NB2F012", "--notify: name an event: "
                           f"{', '.join(EVENTS)}")
    return tuple(dict.fromkeys(events))


def parse_block(slug: str) -> tuple[str, str]:
    """``"slack-webhook/ml-alerts"`` -> ("slack-webhook", "ml-alerts")."""
    kind, _, name = slug.partition("/")
    if not _SLUG.fullmatch(kind) or not _SLUG.fullmatch(name):
        raise Nb2FlowError(
            "NB2F012", f"--notify-block {slug!r}: give the block as TYPE/NAME, as "
            "`prefect block ls` shows it, e.g. slack-webhook/ml-alerts")
    return kind, name


def notification_code(
    events: str | tuple[str, ...],
    block: str,
    email_to: tuple[str, ...] = (),
    taken: set[str] | frozenset[str] = frozenset(),
) -> NotifyCode:
    """The imports, hook functions and ``@flow`` keywords for ``--notify``.

    ``taken``: names already defined in the script; hook names avoid them.
    """
    events = parse_events(events)
    kind, name = parse_block(block)
    _check_recipients(kind, block, email_to)
    hooks = _Hooks(set(taken))
    if kind == EMAIL_BLOCK:
        imports = _email_hooks(hooks, events, block, name, email_to)
    else:
        imports = _block_hooks(hooks, events, block, kind, name)
    return NotifyCode(imports, tuple(b.rstrip("\n") for b in hooks.blocks),
                      tuple(hooks.options), tuple(hooks.functions))


def _check_recipients(kind: str, block: str, email_to: tuple[str, ...]) -> None:
    """An email block needs valid --notify-to addresses; any other block takes none."""
    if kind == EMAIL_BLOCK:
        if not email_to:
            raise Nb2FlowError("NB2F012", f"--notify-block {block}: an email block needs "
                               "--notify-to ADDRESS")
        for address in email_to:
            if not _EMAIL.fullmatch(address):
                raise Nb2FlowError("NB2F012", f"--notify-to {address!r}: not an email "
                                   "address")
    elif email_to:
        raise Nb2FlowError("NB2F012", "--notify-to goes with an email-server-credentials "
                           "block")


class _Hooks:
    """The functions written so far, their sources and the ``@flow`` keywords naming them."""

    def __init__(self, used: set[str]) -> None:
        self.used = used
        self.functions: list[str] = []
        self.options: list[str] = []
        self.blocks: list[str] = []

    def fresh(self, base: str) -> str:
        name = unique(base, self.used)
        self.used.add(name)
        return name

    def hook(self, event: str) -> tuple[str, str]:
        """A new hook function for ``event``: its name and what happened, in words."""
        keyword, happened = EVENTS[event]
        func = self.fresh(f"notify_{event}")
        self.functions.append(func)
        self.options.append(f"{keyword}=[{func}]")
        return func, happened


def _email_hooks(hooks: _Hooks, events: tuple[str, ...], block: str, name: str,
                 email_to: tuple[str, ...]) -> tuple[str, ...]:
    """Hooks that email ``email_to`` through an email-server-credentials block."""
    send = hooks.fresh("send_notification_email")
    recipients = ", ".join(email_to)
    for event in events:
        func, happened = hooks.hook(event)
        hooks.blocks.append(
            f"def {func}(flow, flow_run, state):\n"
            f'    """Email {recipients} that a run {happened}."""\n'
            f"    {send}(\n"
            f'        f"Prefect flow {{flow.name}} {happened}",\n'
            f'        f"Flow run {{flow_run.name}} of {{flow.name}} {happened}: '
            f'{{state.message}}",\n'
            f"    )\n"
        )
    hooks.functions.append(send)
    hooks.blocks.append(
        f"def {send}(subject, body):\n"
        f'    """Send an email through the Prefect block {block}."""\n'
        f"    credentials = EmailServerCredentials.load({_q(name)})\n"
        f"    message = EmailMessage()\n"
        f'    message["Subject"] = subject\n'
        f'    message["From"] = credentials.username or "prefect@localhost"\n'
        f'    message["To"] = {_q(recipients)}\n'
        f"    message.set_content(body)\n"
        f"    with credentials.get_server() as server:\n"
        f"        server.send_message(message)\n"
    )
    return ("from email.message import EmailMessage",
            "from prefect_email import EmailServerCredentials")


def _block_hooks(hooks: _Hooks, events: tuple[str, ...], block: str, kind: str,
                 name: str) -> tuple[str, ...]:
    """Hooks that call ``.notify`` on a Prefect notification block."""
    cls = NOTIFICATION_BLOCKS.get(kind)
    if cls is None:  # a notification block from a collection: load it by its slug
        imports = ("from prefect.blocks.core import Block",)
        load = f"Block.load({_q(block)})"
    else:
        imports = (f"from prefect.blocks.notifications import {cls}",)
        load = f"{cls}.load({_q(name)})"
    for event in events:
        func, happened = hooks.hook(event)
        hooks.blocks.append(
            f"def {func}(flow, flow_run, state):\n"
            f'    """Tell the Prefect block {block} that a run {happened}."""\n'
            f"    {load}.notify(\n"
            f'        f"Flow run {{flow_run.name}} of {{flow.name}} {happened}: '
            f'{{state.message}}",\n'
            f'        subject=f"Prefect flow {{flow.name}} {happened}",\n'
            f"    )\n"
        )
    return imports
