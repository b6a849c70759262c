"""``--subflows``: one flow per top-level (``#``) section."""

from __future__ import annotations


from ..identifiers import snake, unique
from ..ir import Call, Subflow


def make_subflows(body: list[Call], reserved: set[str]) -> tuple[list[Subflow], list[Call]]:
    groups: list[tuple[str, list[int]]] = []
    for i, call in enumerate(body):
        if groups and groups[-1][0] == call.section:
            groups[-1][1].append(i)
        else:
            groups.append((call.section, [i]))
    if sum(1 for section, _ in groups if section) < 2:
        return [], body
    subflows: list[Subflow] = []
    new_body: list[Call] = []
    used: set[str] = set()
    for section, indexes in groups:
        calls = [body[i] for i in indexes]
        if not section:
            new_body.extend(calls)
            continue
        inputs: list[str] = []
        produced: set[str] = set()
        for call in calls:
            inputs += [a for a in call.args if a not in produced and a not in inputs]
            produced.update(call.targets)
        later = {a for call in body[indexes[-1] + 1:] for a in call.args}
        outputs = [n for n in dict.fromkeys(t for call in calls for t in call.targets)
                   if n in later]
        func = unique(snake(section, drop_stopwords=True) or "section", reserved | used,
                       suffix="_flow")
        used.add(func)
        subflows.append(Subflow(func.replace("_", "-"), func, section.rstrip(".") + ".",
                                tuple(inputs), tuple(outputs), tuple(calls)))
        call = f"{func}({', '.join(inputs)})"
        new_body.append(Call(func, tuple(inputs), tuple(outputs),
                             f"{', '.join(outputs)} = {call}" if outputs else call, section))
    return subflows, new_body
