"""Let independent tasks run at the same time: ``task.submit()`` where it can help.

A call is submitted only when some other call of the flow is independent of it (neither
needs the other), so a straight chain of steps keeps plain, readable calls. A call waits
for another when:

- it reads a value the other produced (read after write);
- it may change, in place, a value the other reads (write after read): a task that
  mutates an input, and every call of a notebook function (nb2flow cannot see inside);
- both touch the outside world (write files, unknown effects, random state) and one of
  them writes: effects keep notebook order, so a file is written before it is read.

Futures are passed straight to the tasks that need them (Prefect resolves them). A task
with several outputs is unpacked with ``.result()`` just before its first consumer, and
every future nobody consumed is waited for at the end, so a failed task fails the run.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .identifiers import unique
from .ir import Call


@dataclass(frozen=True)
class CallEffects:
    """What the scheduler must know about a call beyond its inputs and outputs."""

    mutates: frozenset[str] = frozenset()  # inputs it may change in place
    reads_outside: bool = False  # reads files, URLs, random state ...
    writes_outside: bool = False  # writes files or has unknown effects


def schedule(
    body: list[Call], effects: list[CallEffects], reserved: set[str], submit_all: bool = False
) -> list[Call]:
    """Rewrite the flow body; ``submit_all`` sends every call to the task runner (Dask, Ray)."""
    n = len(body)
    if n < 2 and not submit_all:
        return body
    needs = _dependencies(body, effects)
    ancestors = [0] * n
    for i in range(n):
        bits = 0
        for j in needs[i]:
            bits |= (1 << j) | ancestors[j]
        ancestors[i] = bits
    users: list[list[int]] = [[] for _ in range(n)]
    for i in range(n):
        for j in needs[i]:
            users[j].append(i)
    descendants = [0] * n
    for j in range(n - 1, -1, -1):
        bits = 0
        for k in users[j]:
            bits |= (1 << k) | descendants[k]
        descendants[j] = bits
    everyone = (1 << n) - 1
    parallel = [
        bool(everyone & ~(ancestors[i] | descendants[i] | (1 << i))) for i in range(n)
    ]
    if submit_all:
        parallel = [True] * n
    if not any(parallel):
        return body
    return _rewrite(body, needs, ancestors, parallel, reserved, submit_all)


def _dependencies(body: list[Call], effects: list[CallEffects]) -> list[set[int]]:
    last_writer: dict[str, int] = {}
    readers: dict[str, list[int]] = {}
    needs: list[set[int]] = []
    last_effect_writer: int | None = None
    effect_readers: list[int] = []
    for i, (call, eff) in enumerate(zip(body, effects)):
        mine: set[int] = set()
        for name in call.args:
            if name in last_writer:
                mine.add(last_writer[name])
        for name in eff.mutates:
            mine.update(j for j in readers.get(name, ()) if j != i)
        # Effects keep notebook order: after the last writer, and a writer after the
        # readers since then (earlier ones are implied through that writer).
        if eff.reads_outside or eff.writes_outside:
            if last_effect_writer is not None:
                mine.add(last_effect_writer)
            if eff.writes_outside:
                mine.update(effect_readers)
                last_effect_writer, effect_readers = i, []
            else:
                effect_readers.append(i)
        for name in call.args:
            readers.setdefault(name, []).append(i)
        for name in call.targets:
            last_writer[name] = i
        needs.append(mine)
    return needs


def _rewrite(
    body: list[Call],
    needs: list[set[int]],
    ancestors: list[int],
    parallel: list[bool],
    reserved: set[str],
    submit_all: bool = False,
) -> list[Call]:
    rewriter = _Rewriter(body, needs, ancestors, reserved)
    for i, call in enumerate(body):
        rewriter.add(i, call, parallel[i], submit_all)
    return rewriter.finish()


class _Rewriter:
    """The flow body rewritten call by call: which futures exist, which are waited for."""

    def __init__(self, body: list[Call], needs: list[set[int]], ancestors: list[int],
                 reserved: set[str]) -> None:
        self.body, self.needs, self.ancestors = body, needs, ancestors
        self.used = set(reserved) | {t for c in body for t in c.targets} \
            | {a for c in body for a in c.args}
        self.future_of: dict[int, str] = {}  # submitted call -> variable holding its future
        self.single: dict[str, int] = {}  # name holding a one-output future -> its call
        self.pending: dict[str, tuple[int, str]] = {}  # output -> (call, future) to unpack
        self.resolved: set[int] = set()  # futures whose .result() the flow has asked for
        self.lines: list[Call] = []

    def resolve(self, j: int) -> str:
        """The line that waits for future ``j`` (and unpacks it); ``j`` is resolved."""
        self.resolved.add(j)
        targets = self.body[j].targets
        if len(targets) > 1 and targets[0] in self.pending:
            for t in targets:
                self.pending.pop(t, None)
            return f"{', '.join(targets)} = {self.future_of[j]}.result()"
        return f"{self.future_of[j]}.result()"

    def first_failures(self, js: set[int]) -> list[str]:
        """Wait first for the submitted calls the futures ``js`` descend from: when one of
        them failed, its exception (not the "upstream not ready" of a consumer) is the
        one raised in the flow."""
        bits = 0
        for j in js:
            bits |= self.ancestors[j]
        return [self.resolve(k) for k in sorted(self.future_of)
                if bits >> k & 1 and k not in self.resolved and k not in js]

    def waits(self, i: int, call: Call) -> list[str]:
        """The futures a submitted call waits for explicitly: only what no argument
        already implies."""
        implied = 0
        for k in self.needs[i]:
            if set(self.body[k].targets) & set(call.args):
                implied |= (1 << k) | self.ancestors[k]
        return [self.future_of[j] for j in sorted(self.needs[i])
                if j in self.future_of and not implied >> j & 1
                and not any(self.ancestors[k] >> j & 1 for k in self.needs[i] if k != j)]

    def add(self, i: int, call: Call, parallel: bool, submit_all: bool) -> None:
        body = self.body
        unpack = {self.pending[name][0] for name in call.args if name in self.pending}
        submitted = parallel and call.code == _default_code(call)
        unpacked_next = (  # submitting, then waiting on the very next line: a plain call
            submitted and not submit_all and len(call.targets) > 1
            and i + 1 < len(body) and set(body[i + 1].args) & set(call.targets)
        )
        waits = self.waits(i, call) if submitted else []
        if waits:
            unpacked_next = False
        plain = not submitted or unpacked_next
        # A task called directly gets values, not futures: Prefect would hand it None for
        # a future that failed, and the run would end with that call's TypeError.
        inline = {name: self.single[name] for name in call.args
                  if plain and name in self.single}
        # a direct call also waits for the submitted calls it must follow (effects)
        before = {j for j in self.needs[i] if plain and j in self.future_of
                  and j not in self.resolved and j not in inline.values()}
        prefix = self.first_failures(unpack | before | set(inline.values()))
        prefix += [self.resolve(j) for j in sorted(unpack | before) if j not in self.resolved]
        self.resolved.update(inline.values())
        for name in call.targets:
            self.single.pop(name, None)
        code = self.plain(call, inline, prefix) if plain else self.submit(i, call, waits)
        self.lines.append(replace(call, code="\n".join([*prefix, code])))

    def plain(self, call: Call, inline: dict[str, int], prefix: list[str]) -> str:
        """A direct call; the one-output futures it reads (``inline``) become values."""
        code = call.code
        if inline:
            if call.code == _default_code(call):
                args = [f"{a}.result()" if a in inline else a for a in call.args]
                code = _default_code(call, args)
            elif not set(inline) & set(call.targets):  # the notebook's own line
                code = _with_results(call.code, set(inline))
            else:  # it rebinds the name: the names hold values from here on
                names = list(inline)
                prefix.append(f"{', '.join(names)} = "
                              f"{', '.join(f'{n}.result()' for n in names)}")
                for n in names:
                    self.single.pop(n, None)
        return code

    def submit(self, i: int, call: Call, waits: list[str]) -> str:
        """``call`` submitted to the task runner; its future is recorded."""
        args = list(call.args)
        if waits:
            args.append(f"wait_for=[{', '.join(waits)}]")
        submit = f"{call.func}.submit({', '.join(args)})"
        if len(call.targets) == 1:
            self.future_of[i] = call.targets[0]
            self.single[call.targets[0]] = i
            return f"{call.targets[0]} = {submit}"
        var = _fresh(f"{call.func}_future", self.used)
        self.future_of[i] = var
        for t in call.targets:
            self.pending[t] = (i, var)
        return f"{var} = {submit}"

    def finish(self) -> list[Call]:
        """Wait for every future not waited for yet, in the order of the calls: a failed
        task fails the run, with its own exception rather than a consumer's."""
        lines = self.lines
        leftovers = [f"{self.future_of[j]}.result()" for j in sorted(self.future_of)
                     if j not in self.resolved]
        if leftovers:
            last = lines[-1]
            lines[-1] = replace(last, code="\n".join([last.code, *leftovers]))
        return lines


def _with_results(code: str, names: set[str]) -> str:
    """``code`` with each read of a name in ``names`` replaced by ``name.result()``:
    tokens are replaced in place, so the rest of the line (comments too) is unchanged.
    Attribute names (``x.name``) and keyword names (``f(name=1)``) are not reads."""
    import io
    import tokenize

    tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
    lines = code.splitlines(keepends=True)
    edits = []
    for k, tok in enumerate(tokens):
        if tok.type != tokenize.NAME or tok.string not in names:
            continue
        before = tokens[k - 1].string if k else ""
        after = tokens[k + 1].string if k + 1 < len(tokens) else ""
        if before == "." or after == "=":
            continue
        edits.append(tok.end)
    for row, col in reversed(edits):
        line = lines[row - 1]
        lines[row - 1] = line[:col] + ".result()" + line[col:]
    return "".join(lines)


def _default_code(call: Call, args: list[str] | None = None) -> str:
    invocation = f"{call.func}({', '.join(call.args if args is None else args)})"
    return f"{', '.join(call.targets)} = {invocation}" if call.targets else invocation


def _fresh(base: str, used: set[str]) -> str:
    name = unique(base, used)
    used.add(name)
    return name
