"""A hypothesis strategy for notebooks whose code always runs (stdlib only).

The program is drawn statement by statement from a small grammar while a model of the
namespace (which names exist, their types, a lower bound on each list's length, which
names functions read) keeps every statement valid: ints stay in 0..999, lists that are
indexed or popped are long enough, a name is read only after it is defined on every path.
Between statements the strategy scatters what real notebooks have: cell breaks, markdown
headings, displayed values (``x``, ``df.head()``, ``len(xs)``), plots (``plt.plot(xs)``,
``df.plot()``), magics (``%matplotlib inline``, ``%time stmt``). The last cell writes the
program's variables to ``out/result.json`` and/or prints them.

``Features`` turns parts of the grammar on and off: the property tests run the full
grammar, and a part that finds a known bug can be switched off until the fix lands.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import strategies as st

INT_NAMES = ("a", "b", "n", "total", "x", "y", "count")
LIST_NAMES = ("xs", "ys", "items", "acc")
DICT_NAMES = ("d", "cfg", "counts")
OBJ_NAMES = ("c1", "c2")
FRAME_NAMES = ("df", "df2")

COUNTER_CLASS = '''class Counter:
    def __init__(self, start):
        self.n = start % 1000

    def inc(self, k=1):
        self.n = (self.n + k) % 1000
        return self.n'''

FRAME_CLASS = '''class Frame(list):
    def head(self, k=2):
        return Frame(self[:k])

    def plot(self):
        return None'''


@dataclass(frozen=True)
class Features:
    """Parts of the grammar; all on by default."""

    aliasing: bool = True  # ys = xs, then mutate one of them
    global_stmt: bool = True  # def bump(): global x; x += 1
    delete: bool = True  # del name
    side_effect_display: bool = True  # xs.pop() as the last line of a cell
    magics: bool = True
    plots: bool = True
    classes: bool = True
    functions: bool = True
    loops: bool = True


@dataclass
class _State:
    ints: set[str] = field(default_factory=set)
    lists: dict[str, int] = field(default_factory=dict)  # name -> minimum length
    dicts: set[str] = field(default_factory=set)  # every dict has the key "k"
    objs: set[str] = field(default_factory=set)
    frames: set[str] = field(default_factory=set)
    pure_funcs: list[str] = field(default_factory=list)
    readers: list[str] = field(default_factory=list)  # functions reading globals
    appenders: list[str] = field(default_factory=list)
    bumpers: dict[str, str] = field(default_factory=dict)  # function -> global int it bumps
    pinned: set[str] = field(default_factory=set)  # read by functions: never deleted
    group: dict[str, int] = field(default_factory=dict)  # lists that are the same object
    next_gid: int = 0
    has_counter: bool = False
    has_frame: bool = False
    uses_plt: bool = False
    fn_count: int = 0

    def all_names(self) -> set[str]:
        return self.ints | set(self.lists) | self.dicts | self.objs | self.frames


@dataclass
class _Item:
    kind: str  # "code", "break", "markdown"
    text: str = ""


class _Gen:
    def __init__(self, draw, features: Features):
        self.draw = draw
        self.f = features
        self.s = _State()
        self.items: list[_Item] = []

    # ------------------------------------------------------------ helpers
    def choice(self, options):
        return self.draw(st.sampled_from(list(options)))

    def coin(self, p_true: float = 0.5) -> bool:
        return self.draw(st.integers(0, 99)) < int(p_true * 100)

    def emit(self, text: str) -> None:
        self.items.append(_Item("code", text))

    def int_expr(self, depth: int = 0) -> str:
        s = self.s
        options = ["lit"]
        if s.ints:
            options += ["int", "int"]
        if s.lists:
            options += ["len", "sum"]
            if any(v >= 1 for v in s.lists.values()):
                options += ["max", "index"]
        if s.dicts:
            options.append("dict")
        if s.objs:
            options.append("obj")
        if s.pure_funcs:
            options.append("call")
        if s.readers:
            options.append("reader")
        if depth < 2:
            options += ["binop", "binop"]
        kind = self.choice(options)
        if kind == "lit":
            return str(self.draw(st.integers(0, 9)))
        if kind == "int":
            return self.choice(sorted(s.ints))
        if kind == "len":
            return f"len({self.choice(sorted(s.lists))})"
        if kind == "sum":
            return f"sum({self.choice(sorted(s.lists))}) % 1000"
        if kind == "max":
            return f"max({self.choice(sorted(k for k, v in s.lists.items() if v >= 1))})"
        if kind == "index":
            return f"{self.choice(sorted(k for k, v in s.lists.items() if v >= 1))}[0]"
        if kind == "dict":
            return f'{self.choice(sorted(s.dicts))}["k"]'
        if kind == "obj":
            return f"{self.choice(sorted(s.objs))}.n"
        if kind == "call":
            fn = self.choice(s.pure_funcs)
            return f"{fn}({self.int_expr(depth + 1)}, {self.int_expr(depth + 1)})"
        if kind == "reader":
            return f"{self.choice(s.readers)}()"
        op = self.choice(["+", "*"])
        return f"({self.int_expr(depth + 1)} {op} {self.int_expr(depth + 1)}) % 1000"

    def grow(self, name: str, k: int) -> None:
        """Change the length of ``name`` and of every list that is the same object."""
        gid = self.s.group.get(name)
        for other in list(self.s.lists):
            if other == name or (gid is not None and self.s.group.get(other) == gid):
                self.s.lists[other] = max(self.s.lists[other] + k, 0)

    def rebind_list(self, name: str, length: int) -> None:
        self.s.group.pop(name, None)
        self.s.lists[name] = length

    def new_or_existing(self, pool, existing) -> str:
        free = [n for n in pool if n not in self.s.all_names() or n in existing]
        return self.choice(free) if free else ""

    # ---------------------------------------------------------- statements
    def statement(self) -> None:
        s = self.s
        kinds = ["int", "int", "list", "dict", "print"]
        if s.ints:
            kinds += ["aug", "if"]
        if s.lists:
            kinds += ["mutlist", "mutlist", "comp"]
        if s.dicts:
            kinds += ["mutdict"]
        if s.ints or s.lists:
            kinds.append("try")
        if self.f.loops and (s.ints or s.lists):
            kinds += ["for", "while"]
        if self.f.functions:
            kinds += ["defpure"]
            if s.ints and s.lists:
                kinds.append("defreader")
            if s.lists:
                kinds.append("defappend")
            if s.appenders and s.lists:
                kinds.append("callappend")
            if self.f.global_stmt and s.ints:
                kinds.append("defbump")
            if s.bumpers:
                kinds.append("callbump")
        if self.f.classes:
            kinds.append("obj")
            if s.objs:
                kinds += ["mutobj"]
            if s.lists:
                kinds.append("frame")
        if self.f.aliasing and s.lists:
            kinds.append("alias")
        if self.f.delete and (s.all_names() - s.pinned):
            kinds.append("del")
        getattr(self, f"st_{self.choice(kinds)}")()

    def st_int(self) -> None:
        name = self.new_or_existing(INT_NAMES, self.s.ints)
        if not name:
            return self.st_print()
        self.emit(f"{name} = {self.int_expr()}")
        self.s.ints.add(name)

    def st_aug(self) -> None:
        name = self.choice(sorted(self.s.ints))
        self.emit(f"{name} = ({name} + {self.int_expr(1)}) % 1000")

    def st_list(self) -> None:
        name = self.new_or_existing(LIST_NAMES, self.s.lists)
        if not name:
            return self.st_print()
        if self.coin():
            k = self.draw(st.integers(1, 4))
            self.emit(f"{name} = list(range({k}))")
            length = k
        else:
            elts = [self.int_expr(1) for _ in range(self.draw(st.integers(0, 3)))]
            self.emit(f"{name} = [{', '.join(elts)}]")
            length = len(elts)
        self.rebind_list(name, length)

    def st_comp(self) -> None:
        src = self.choice(sorted(self.s.lists))
        name = self.new_or_existing(LIST_NAMES, self.s.lists)
        if not name:
            return self.st_print()
        kind = self.choice(["map", "sorted", "filter"])
        if kind == "map":
            self.emit(f"{name} = [(v * 2 + 1) % 1000 for v in {src}]")
            length = self.s.lists[src]
        elif kind == "sorted":
            self.emit(f"{name} = sorted({src})")
            length = self.s.lists[src]
        else:
            self.emit(f"{name} = [v for v in {src} if v % 2 == 0]")
            length = 0
        self.rebind_list(name, length)

    def st_mutlist(self) -> None:
        name = self.choice(sorted(self.s.lists))
        n = self.s.lists[name]
        options = ["append", "extend", "iadd", "sort", "reverse"]
        if n >= 1:
            options += ["setitem"]
        if n >= 2:
            options += ["pop"]
        kind = self.choice(options)
        if kind == "append":
            self.emit(f"{name}.append({self.int_expr(1)})")
            self.grow(name, 1)
        elif kind == "extend":
            self.emit(f"{name}.extend([{self.int_expr(1)}, {self.int_expr(1)}])")
            self.grow(name, 2)
        elif kind == "iadd":
            self.emit(f"{name} += [{self.int_expr(1)}]")
            self.grow(name, 1)
        elif kind == "sort":
            self.emit(f"{name}.sort()")
        elif kind == "reverse":
            self.emit(f"{name}.reverse()")
        elif kind == "setitem":
            self.emit(f"{name}[0] = {self.int_expr(1)}")
        else:
            self.emit(f"{name}.pop()")
            self.grow(name, -1)

    def st_dict(self) -> None:
        name = self.new_or_existing(DICT_NAMES, self.s.dicts)
        if not name:
            return self.st_print()
        if self.s.dicts and self.coin(0.3):
            self.emit(f"{name} = dict({self.choice(sorted(self.s.dicts))})")
        else:
            self.emit(f'{name} = {{"k": {self.int_expr(1)}, "j": {self.int_expr(1)}}}')
        self.s.dicts.add(name)

    def st_mutdict(self) -> None:
        name = self.choice(sorted(self.s.dicts))
        kind = self.choice(["setk", "setnew", "update", "setdefault"])
        if kind == "setk":
            self.emit(f'{name}["k"] = {self.int_expr(1)}')
        elif kind == "setnew":
            key = self.choice(["m", "z", "total"])
            self.emit(f'{name}["{key}"] = {self.int_expr(1)}')
        elif kind == "update":
            self.emit(f"{name}.update(u={self.int_expr(1)})")
        else:
            self.emit(f'{name}.setdefault("s", {self.int_expr(1)})')

    def st_print(self) -> None:
        s = self.s
        options = ["int"]
        if s.lists:
            options.append("list")
        if s.dicts:
            options.append("dict")
        kind = self.choice(options)
        if kind == "int":
            self.emit(f'print("value", {self.int_expr()})')
        elif kind == "list":
            self.emit(f"print({self.choice(sorted(s.lists))})")
        else:
            self.emit(f"print(sorted({self.choice(sorted(s.dicts))}.items()))")

    def st_if(self) -> None:
        cond = self.choice(sorted(self.s.ints))
        name = self.new_or_existing(INT_NAMES, self.s.ints)
        if not name:
            return self.st_print()
        a, b = self.int_expr(1), self.int_expr(1)
        self.emit(f"if {cond} > 5:\n    {name} = {a}\nelse:\n    {name} = {b}")
        self.s.ints.add(name)

    def st_try(self) -> None:
        name = self.new_or_existing(INT_NAMES, self.s.ints)
        if not name:
            return self.st_print()
        if self.s.lists:
            src = self.choice(sorted(self.s.lists))
            self.emit(f"try:\n    {name} = {src}[5]\nexcept IndexError:\n    {name} = len({src})")
        else:
            src = self.choice(sorted(self.s.ints))
            self.emit(f"try:\n    {name} = 100 // ({src} % 3)\nexcept ZeroDivisionError:\n"
                      f"    {name} = 0")
        self.s.ints.add(name)

    def st_for(self) -> None:
        k = self.draw(st.integers(1, 4))
        body = []
        if self.s.ints:
            acc = self.choice(sorted(self.s.ints))
            body.append(f"    {acc} = ({acc} + i) % 1000")
        if self.s.lists and self.coin():
            lst = self.choice(sorted(self.s.lists))
            body.append(f"    if i % 2 == 0:\n        {lst}.append(i)")
        if self.s.dicts and self.coin(0.3):
            d = self.choice(sorted(self.s.dicts))
            body.append(f'    {d}["k"] = ({d}["k"] + i) % 1000')
        if not body:
            body.append("    pass")
        self.emit(f"for i in range({k}):\n" + "\n".join(body))

    def st_while(self) -> None:
        if not self.s.ints:
            return self.st_for()
        name = self.choice(sorted(self.s.ints))
        self.emit(f"while {name} < 30:\n    {name} += 7")

    def _fn_name(self, base: str) -> str:
        self.s.fn_count += 1
        return f"{base}{self.s.fn_count}"

    def st_defpure(self) -> None:
        name = self._fn_name("f")
        k = self.draw(st.integers(1, 5))
        self.emit(f"def {name}(p, q):\n    return (p * {k} + q) % 1000")
        self.s.pure_funcs.append(name)

    def st_defreader(self) -> None:
        name = self._fn_name("g")
        i = self.choice(sorted(self.s.ints))
        lst = self.choice(sorted(self.s.lists))
        self.emit(f"def {name}():\n    return ({i} + len({lst})) % 1000")
        self.s.readers.append(name)
        self.s.pinned |= {i, lst}

    def st_defappend(self) -> None:
        name = self._fn_name("push")
        self.emit(f"def {name}(target, v):\n    target.append(v)")
        self.s.appenders.append(name)

    def st_callappend(self) -> None:
        fn = self.choice(self.s.appenders)
        lst = self.choice(sorted(self.s.lists))
        self.emit(f"{fn}({lst}, {self.int_expr(1)})")
        self.grow(lst, 1)

    def st_defbump(self) -> None:
        name = self._fn_name("bump")
        g = self.choice(sorted(self.s.ints))
        self.emit(f"def {name}():\n    global {g}\n    {g} = ({g} + 1) % 1000")
        self.s.bumpers[name] = g
        self.s.pinned.add(g)

    def st_callbump(self) -> None:
        self.emit(f"{self.choice(sorted(self.s.bumpers))}()")

    def st_obj(self) -> None:
        if not self.s.has_counter:
            self.emit(COUNTER_CLASS)
            self.s.has_counter = True
        name = self.new_or_existing(OBJ_NAMES, self.s.objs)
        if not name:
            return self.st_mutobj()
        self.emit(f"{name} = Counter({self.int_expr(1)})")
        self.s.objs.add(name)

    def st_mutobj(self) -> None:
        if not self.s.objs:
            return self.st_obj()
        name = self.choice(sorted(self.s.objs))
        kind = self.choice(["inc", "inc_arg", "attr", "assign_inc"])
        if kind == "inc":
            self.emit(f"{name}.inc()")
        elif kind == "inc_arg":
            self.emit(f"{name}.inc({self.int_expr(1)})")
        elif kind == "attr":
            self.emit(f"{name}.n = {self.int_expr(1)}")
        else:
            target = self.new_or_existing(INT_NAMES, self.s.ints)
            if not target:
                return self.emit(f"{name}.inc()")
            self.emit(f"{target} = {name}.inc()")
            self.s.ints.add(target)

    def st_frame(self) -> None:
        if not self.s.has_frame:
            self.emit(FRAME_CLASS)
            self.s.has_frame = True
        name = self.new_or_existing(FRAME_NAMES, self.s.frames)
        if not name:
            return self.st_print()
        self.emit(f"{name} = Frame({self.choice(sorted(self.s.lists))})")
        self.s.frames.add(name)

    def st_alias(self) -> None:
        src = self.choice(sorted(self.s.lists))
        name = self.new_or_existing(LIST_NAMES, self.s.lists)
        if not name or name == src:
            return self.st_mutlist()
        self.emit(f"{name} = {src}")
        self.rebind_list(name, self.s.lists[src])
        if src not in self.s.group:
            self.s.next_gid += 1
            self.s.group[src] = self.s.next_gid
        gid = self.s.group[src]
        self.s.group[name] = gid
        if self.coin():  # a mutation through one name shows through the other
            self.emit(f"{name}.append({self.int_expr(1)})")
            self.grow(name, 1)

    def st_del(self) -> None:
        s = self.s
        name = self.choice(sorted(s.all_names() - s.pinned))
        self.emit(f"del {name}")
        s.ints.discard(name)
        s.lists.pop(name, None)
        s.group.pop(name, None)
        s.dicts.discard(name)
        s.objs.discard(name)
        s.frames.discard(name)

    # ---------------------------------------------------------- decorations
    def decoration(self) -> None:
        s = self.s
        kinds = ["break", "break", "heading"]
        if s.ints or s.lists or s.dicts:
            kinds += ["display", "display"]
        if self.f.plots and s.lists:
            kinds.append("plt")
        if self.f.plots and s.frames:
            kinds += ["dfplot", "dfhead"]
        if self.f.magics:
            kinds += ["matplotlib_magic"]
        if self.f.side_effect_display and any(v >= 2 for v in s.lists.values()):
            kinds.append("pop_display")
        kind = self.choice(kinds)
        if kind == "break":
            self.items.append(_Item("break"))
        elif kind == "heading":
            level = self.choice(["#", "##", "###"])
            words = self.choice(["Load data", "Clean", "Features", "Train", "Report",
                                 "Step 2: totals", "Results"])
            self.items.append(_Item("markdown", f"{level} {words}"))
        elif kind == "display":
            options = [*(sorted(s.ints)), *(f"len({n})" for n in sorted(s.lists)),
                       *(f"{n}[:2]" for n in sorted(s.lists)), *sorted(s.dicts),
                       *(f"{n}.get('k')" for n in sorted(s.dicts))]
            self.emit(self.choice(options))
            if self.coin():
                self.items.append(_Item("break"))  # shown as the cell's last line
        elif kind == "plt":
            self._plt()
            self.emit(f"plt.plot({self.choice(sorted(s.lists))})")
        elif kind == "dfplot":
            self.emit(f"{self.choice(sorted(s.frames))}.plot()")
        elif kind == "dfhead":
            self.emit(f"{self.choice(sorted(s.frames))}.head()")
            self.items.append(_Item("break"))
        elif kind == "matplotlib_magic":
            self.emit("%matplotlib inline")
        elif kind == "pop_display":
            name = self.choice(sorted(k for k, v in s.lists.items() if v >= 2))
            self.emit(f"{name}.pop()")
            self.grow(name, -1)
            self.items.append(_Item("break"))

    def _plt(self) -> None:
        if not self.s.uses_plt:
            self.items.insert(0, _Item("code", "import matplotlib.pyplot as plt"))
            self.s.uses_plt = True

    # ---------------------------------------------------------------- final
    def final(self) -> None:
        s = self.s
        entries = [f'"{n}": {n}' for n in sorted(s.ints)]
        entries += [f'"{n}": {n}' for n in sorted(s.lists)]
        entries += [f'"{n}": {n}' for n in sorted(s.dicts)]
        entries += [f'"{n}": {n}.n' for n in sorted(s.objs)]
        entries += [f'"{n}": list({n})' for n in sorted(s.frames)]
        values = "{" + ", ".join(entries) + "}"
        how = self.choice(["json", "print", "both"])
        self.items.append(_Item("break"))
        if how in ("json", "both"):
            self.emit('os.makedirs("out", exist_ok=True)\n'
                      'with open("out/result.json", "w") as f:\n'
                      f"    json.dump({values}, f, sort_keys=True)")
        if how in ("print", "both"):
            self.emit(f"print(json.dumps({values}, sort_keys=True))")


def _time_magic(gen: _Gen, items: list[_Item]) -> None:
    """Prefix a few one-line statements with ``%time``."""
    for item in items:
        if item.kind == "code" and "\n" not in item.text and not item.text.startswith(
            ("%", "import", "del ", "print")
        ) and "=" in item.text and gen.coin(0.15):
            item.text = f"%time {item.text}"


def cells_of(items: list[_Item]) -> list:
    cells: list = []
    current: list[str] = []
    for item in items:
        if item.kind == "code":
            current.append(item.text)
            continue
        if current:
            cells.append("\n".join(current))
            current = []
        if item.kind == "markdown":
            cells.append(("markdown", item.text))
    if current:
        cells.append("\n".join(current))
    return cells


@st.composite
def notebooks(draw, features: Features = Features(), max_steps: int = 18):
    """Cells for :func:`nbutil.make_notebook`: code strings and ("markdown", text)."""
    gen = _Gen(draw, features)
    gen.emit("import json\nimport os")
    if draw(st.booleans()):
        gen.items.append(_Item("markdown", "# Experiment\n\nA generated notebook."))
    steps = draw(st.integers(1, max_steps))
    for _ in range(steps):
        if gen.coin(0.35):
            gen.decoration()
        else:
            gen.statement()
    if features.magics:
        _time_magic(gen, gen.items)
    gen.final()
    return cells_of(gen.items)
