"""The sealed template environment. A `--templates` directory is untrusted code: its templates
see plain data (dicts, lists, tuples, str, numbers, None) and the project's own pure formatting
functions, nothing else, and their work is bounded.

Three layers, each enough on its own for what it guards:
- attributes: only the read-only methods listed in SAFE_METHODS (of str, dict, list, tuple) and
  Jinja's own loop, namespace, macro and block objects; nothing of any other object;
- calls: only those methods, the functions a render hands over (`sealed`), macros and loops;
- budget: every lookup, call, operator, filter and loop step costs work; every string, list
  or output produced costs its size; macros nest and templates load a bounded number of times.
  Past a limit the render stops with TemplateLimit (exit 2), before anything is allocated where
  the size can be known in advance (`'x' * n`, `n ** m`, widths in `%` and `format`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from enum import Enum
from functools import wraps
from string import Formatter
from types import BuiltinMethodType, MethodType
from typing import Any, cast

from jinja2 import Environment, TemplateError, Undefined, nodes, pass_context
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError
from jinja2.filters import FILTERS as JINJA_FILTERS
from jinja2.filters import _GroupTuple
from jinja2.runtime import (
    BlockReference,
    Context,
    LoopContext,
    Macro,
    TemplateReference,
)
from jinja2.sandbox import SandboxedEnvironment
from jinja2.tests import TESTS as JINJA_TESTS
from jinja2.utils import Namespace
from jinja2.visitor import NodeTransformer
from pydantic import BaseModel

MAX_WORK = 5_000_000  # lookups, calls, operators, filters and loop steps in one render
MAX_SIZE = 20_000_000  # characters and items produced in one render (values and output)
MAX_DEPTH = 40  # macros calling macros
MACRO_STEPS = 20  # what a macro call costs in steps (it is slow: frames, a buffer, a join)
MAX_TEMPLATES = 100  # templates loaded (the page, includes, imports, extends) in one render
MAX_RANGE = 100_000  # items in one range()
MAX_WIDTH = 1_000  # a width or precision in `%` or str.format, a filter's width
MAX_INT_BITS = 4_096  # an integer a template computes (10**1233 or so)

SAFE_METHODS: dict[type, frozenset[str]] = {
    str: frozenset(
        [
            "capitalize",
            "casefold",
            "count",
            "endswith",
            "find",
            "index",
            "isalnum",
            "isalpha",
            "isdecimal",
            "isdigit",
            "islower",
            "isnumeric",
            "isspace",
            "istitle",
            "isupper",
            "lower",
            "lstrip",
            "partition",
            "removeprefix",
            "removesuffix",
            "rfind",
            "rindex",
            "rpartition",
            "rsplit",
            "rstrip",
            "split",
            "splitlines",
            "startswith",
            "strip",
            "swapcase",
            "title",
            "upper",
        ]
    ),
    dict: frozenset({"get", "items", "keys", "values"}),
    list: frozenset({"count", "index"}),
    tuple: frozenset({"count", "index"}),
}
"""What a template may look up on plain data: read-only methods whose result is no larger than
their object. `str.format` is allowed through its own guard (widths, no format_map)."""

LOOP_ATTRIBUTES = frozenset(
    [
        "index",
        "index0",
        "revindex",
        "revindex0",
        "first",
        "last",
        "length",
        "depth",
        "depth0",
        "previtem",
        "nextitem",
        "cycle",
        "changed",
    ]
)
GROUP_ATTRIBUTES = frozenset({"grouper", "list"})  # `groupby` results

FILTERS = frozenset(
    [
        "abs",
        "attr",
        "batch",
        "capitalize",
        "center",
        "count",
        "d",
        "default",
        "dictsort",
        "e",
        "escape",
        "filesizeformat",
        "first",
        "float",
        "forceescape",
        "format",
        "groupby",
        "indent",
        "int",
        "items",
        "join",
        "last",
        "length",
        "list",
        "lower",
        "map",
        "max",
        "min",
        "reject",
        "rejectattr",
        "replace",
        "reverse",
        "round",
        "safe",
        "select",
        "selectattr",
        "slice",
        "sort",
        "string",
        "striptags",
        "sum",
        "title",
        "tojson",
        "trim",
        "truncate",
        "unique",
        "upper",
        "urlencode",
        "wordcount",
        "xmlattr",
    ]
)
"""Jinja's filters a template may use (wordwrap, urlize, pprint and random are left out: they
multiply text, or are not reproducible); the amplifying ones are guarded in `_guard_filter`."""

PLAIN = (str, int, float, bool, type(None))


class TemplateLimit(TemplateError):
    """A template went past one of the render's bounds: bad input (exit 2); `zh` says so in
    Chinese."""

    def __init__(self, message: str, zh: str = "") -> None:
        super().__init__(message)
        self.zh = zh


def plain(value: Any) -> Any:
    """A value as plain data: models as dicts, enums as their values, dates as text (as they
    print). Anything else is refused, so nothing with methods reaches a template."""
    if isinstance(value, BaseModel):
        return plain(value.model_dump())
    if isinstance(value, Enum):
        return plain(value.value)
    if isinstance(value, bool | int | float | type(None)):
        return value
    if isinstance(value, str):
        return value if type(value) is str else str(value)
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return tuple(plain(v) for v in value)
    if isinstance(value, list | set | frozenset):
        return [plain(v) for v in value]
    if hasattr(value, "isoformat"):  # date, datetime, time: as str() prints them
        return str(value)
    raise TypeError(f"not plain data for a template: {type(value).__name__}")


class Budget:
    """What one render may still spend."""

    def __init__(self) -> None:
        self.work = 0
        self.size = 0
        self.depth = 0
        self.templates = 0

    def step(self, n: int = 1) -> None:
        self.work += n
        if self.work > MAX_WORK:
            raise TemplateLimit(
                f"the template does more than {MAX_WORK:,} steps (lookups, calls, loop "
                "iterations); loops over loops or a recursive macro? A brief needs far fewer",
                f"模板的运算超过 {MAX_WORK:,} 步（查找、调用、循环）；是否循环套循环或宏递归？",
            )

    def produce(self, n: int) -> None:
        self.size += n
        if self.size > MAX_SIZE:
            raise TemplateLimit(
                f"the template produces more than {MAX_SIZE:,} characters or items (output, "
                "strings, lists); a brief needs far fewer",
                f"模板生成的字符或元素超过 {MAX_SIZE:,} 个（输出、字符串、列表）",
            )

    def pay_for(self, value: Any) -> None:
        """Pay for a value the template made: its weight (below)."""
        self.produce(weight(value, MAX_SIZE - self.size + 1))


def weight(value: Any, cap: int) -> int:
    """What a value costs: characters of its text and items of its collections, all the way
    down, so that a list holding the brief's data a million times costs what printing it
    would. Counting stops past `cap` (the walk is never longer than what it charges)."""
    total, stack = 0, [value]
    while stack and total <= cap:
        item = stack.pop()
        if isinstance(item, str):
            total += len(item)
        elif isinstance(item, dict):
            total += len(item)
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            total += len(item)
            stack.extend(item)
        else:
            total += 1
    return total


_PERCENT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d*)(?:\.(\*|\d*))?[hlL]?[a-zA-Z%]")


def check_percent(fmt: str, values: Any, budget: Budget) -> None:
    """`fmt % values`: widths and precisions at most MAX_WIDTH, no `*` (a width from the
    values); and paid for up front, each field as if it printed all of `values`."""
    fields, widths = 0, 0
    for m in _PERCENT.finditer(fmt):
        fields += 1
        for w in m.groups():
            if w == "*" or (w and int(w) > MAX_WIDTH):
                raise TemplateLimit(
                    f"%: width or precision '{m.group(0)[:20]}' is over {MAX_WIDTH}",
                    f"格式“{m.group(0)[:20]}”的宽度或精度超过 {MAX_WIDTH}",
                )
            widths += int(w or 0)
    budget.produce(len(fmt) + widths + fields * weight(values, MAX_SIZE))


_SPEC_NUMBERS = re.compile(r"\d+")


def check_format(fmt: str, values: Any, budget: Budget) -> None:
    """str.format: no nested fields in a spec, widths and precisions at most MAX_WIDTH; paid
    for up front, each field as if it printed all of `values`."""
    fields, widths = 0, 0
    for _, field, spec, _ in Formatter().parse(fmt):
        fields += field is not None
        if not spec:
            continue
        if "{" in spec:
            raise TemplateLimit("format: a field's spec may not hold another field")
        numbers = [int(n) for n in _SPEC_NUMBERS.findall(spec)]
        if any(n > MAX_WIDTH for n in numbers):
            raise TemplateLimit(
                f"format: width or precision in '{{:{spec[:20]}}}' over {MAX_WIDTH}",
                f"格式“{{:{spec[:20]}}}”的宽度或精度超过 {MAX_WIDTH}",
            )
        widths += sum(numbers)
    budget.produce(len(fmt) + widths + fields * weight(values, MAX_SIZE))


class SealedFormat:
    """`text.format(...)` in a template: str.format through the sandbox's formatter, with
    bounded widths and its result paid for."""

    def __init__(self, wrapped: Callable[..., str], text: str, budget: Budget) -> None:
        self._wrapped, self._text, self._budget = wrapped, text, budget

    def __call__(self, *args: Any, **kwargs: Any) -> str:
        check_format(self._text, (args, kwargs), self._budget)
        return self._wrapped(*args, **kwargs)


class SealedBuffer(list[Any]):
    """The buffer of a macro, a `{% set %}` block or a filter block: every piece is paid for."""

    def __init__(self, budget: Budget) -> None:
        super().__init__()
        self._budget = budget

    def append(self, item: Any) -> None:
        self._budget.produce(len(str(item)))
        super().append(item)

    def extend(self, items: Iterable[Any]) -> None:
        for item in items:
            self.append(item)


LOOP_FILTER = "sealed loop"  # not a name a template can write
SIZE_FILTER = "sealed size"


class _Bounded(NodeTransformer):
    """Every `for` pays per iteration; every list, dict or tuple literal pays for its items."""

    def __init__(self, environment: Environment) -> None:
        self.environment = environment

    def _wrap(self, node: nodes.Node, name: str) -> nodes.Filter:
        out = nodes.Filter(cast(nodes.Expr, node), name, [], [], None, None, lineno=node.lineno)
        out.set_environment(self.environment)
        return out

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        node.iter = self._wrap(node.iter, LOOP_FILTER)
        return node

    def visit_List(self, node: nodes.List) -> nodes.Node:
        self.generic_visit(node)
        return self._wrap(node, SIZE_FILTER)

    def visit_Dict(self, node: nodes.Dict) -> nodes.Node:
        self.generic_visit(node)
        return self._wrap(node, SIZE_FILTER)

    def visit_Tuple(self, node: nodes.Tuple) -> nodes.Node:
        self.generic_visit(node)
        return self._wrap(node, SIZE_FILTER) if node.ctx == "load" else node


class SealedCodeGenerator(CodeGenerator):
    """Jinja's code generator with the budget wired in: loops and literals (above), buffers
    and `~` concatenation."""

    def visit_Template(self, node: nodes.Template, frame: Frame | None = None) -> None:
        _Bounded(self.environment).visit(node)
        super().visit_Template(node, frame)

    def buffer(self, frame: Frame) -> None:
        frame.buffer = self.temporary_identifier()
        self.writeline(f"{frame.buffer} = environment.sealed_buffer()")

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.sealed_value(")
        super().visit_Concat(node, frame)
        self.write(")")


def _guard_filter(name: str, func: Callable[..., Any], budget: Budget) -> Callable[..., Any]:
    """A filter that pays a step and for its result, checking amplifying arguments first."""

    def check(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
        """The arguments as the template passed them (after any context argument), checked;
        a join's items are made a list first, to count them."""
        value = args[0] if args else None
        rest = list(args[1:])

        def arg(i: int, key: str, default: Any) -> Any:
            return rest[i] if len(rest) > i else kwargs.get(key, default)

        if name in ("center", "indent"):
            width = arg(0, "width", 4)
            n = len(width) if isinstance(width, str) else width
            if not isinstance(n, int) or n > MAX_WIDTH:
                raise TemplateLimit(
                    f"{name}: width over {MAX_WIDTH}", f"{name} 的宽度超过 {MAX_WIDTH}"
                )
        elif name == "tojson":
            indent = arg(0, "indent", None)
            if indent is not None and (not isinstance(indent, int) or indent > MAX_WIDTH):
                raise TemplateLimit(f"tojson: indent over {MAX_WIDTH}")
        elif name == "format":
            check_percent(str(value), (tuple(rest), kwargs), budget)
        elif name == "replace":
            old, new = str(arg(0, "old", "")), str(arg(1, "new", ""))
            text = str(value)
            count = arg(2, "count", None)
            hits = text.count(old) if count is None else min(int(count), text.count(old))
            budget.produce(len(text) + hits * max(0, len(new) - len(old)))
        elif name == "join":
            items = list(value) if isinstance(value, Iterable) else value
            budget.pay_for(items)
            if isinstance(items, list):
                budget.produce(len(str(arg(0, "d", ""))) * len(items))
            return (items, *rest)
        elif name in ("batch", "slice"):
            n = arg(0, "linecount" if name == "batch" else "slices", 1)
            if not isinstance(n, int) or n > MAX_RANGE:
                raise TemplateLimit(f"{name}: more than {MAX_RANGE:,} a batch or slices")
            budget.produce(n)
        elif name == "sum":
            start = arg(1, "start", 0)
            if not isinstance(start, int | float):
                raise TemplateLimit("sum: adds numbers only")
        return args

    skip = 1 if getattr(func, "jinja_pass_arg", None) is not None else 0

    @wraps(func)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        budget.step()
        args = (*args[:skip], *check(args[skip:], kwargs))
        out = func(*args, **kwargs)
        budget.pay_for(out)
        return out

    return guarded


def _guard_test(func: Callable[..., Any], budget: Budget) -> Callable[..., Any]:
    @wraps(func)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        budget.step()
        return func(*args, **kwargs)

    return guarded


def _namespace(*args: Any, **kwargs: Any) -> Namespace:
    """`namespace(...)`: a template's own mutable record (for values set inside loops)."""
    return Namespace(*args, **kwargs)


def _dict(**items: Any) -> dict[str, Any]:
    """`dict(a=1)`: a dict from keyword arguments."""
    return dict(items)


class SealedEnvironment(SandboxedEnvironment):
    """The sandbox, closed: see the module's docstring. `sealed` are the callables of the
    render's context (the project's pure formatting functions); each render makes its own
    environment, so its budget is its own."""

    code_generator_class = SealedCodeGenerator
    intercepted_binops = frozenset({"+", "-", "*", "/", "//", "%", "**"})
    intercepted_unops = frozenset({"+", "-"})

    def __init__(
        self, *args: Any, sealed: Iterable[Callable[..., Any]] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.budget = Budget()
        self.template_files: list[str] = []  # in the order loaded: the page first
        self.globals.clear()  # lipsum, cycler, joiner, dict and Jinja's range go
        self.globals.update(range=self.sealed_range, namespace=_namespace, dict=_dict)
        self.filters = {
            name: _guard_filter(name, JINJA_FILTERS[name], self.budget) for name in FILTERS
        }
        self.filters[LOOP_FILTER] = self.sealed_loop
        self.filters[SIZE_FILTER] = self.sealed_size
        tests = cast(dict[str, Callable[..., Any]], JINJA_TESTS)
        self.tests = {name: _guard_test(f, self.budget) for name, f in tests.items()}
        self.sealed = [self.sealed_range, _namespace, _dict, *sealed]

    def add_filter(self, name: str, func: Callable[..., Any]) -> None:
        """A project filter: a pure function, budgeted like Jinja's."""
        self.filters[name] = _guard_filter(name, func, self.budget)

    # -- the budget's hooks (called by the generated code) --

    def sealed_range(self, *args: Any) -> range:
        """range(): integers only, at most MAX_RANGE items, paid for up front."""
        if not all(isinstance(a, int) for a in args):
            raise TemplateLimit("range() takes integers")
        try:
            items = range(*args)
            n = len(items)
        except (OverflowError, ValueError, TypeError) as exc:
            raise TemplateLimit(f"range(): {exc}") from None
        if n > MAX_RANGE:
            raise TemplateLimit(
                f"range() of {n:,} items: at most {MAX_RANGE:,}",
                f"range() 有 {n:,} 项，最多 {MAX_RANGE:,} 项",
            )
        self.budget.produce(n)
        return items

    @pass_context
    def sealed_loop(self, context: Context, items: Any) -> Iterator[Any]:
        for item in items:
            self.budget.step()
            yield item

    @pass_context
    def sealed_size(self, context: Context, value: Any) -> Any:
        self.budget.step()
        self.budget.pay_for(value)
        return value

    def sealed_buffer(self) -> SealedBuffer:
        return SealedBuffer(self.budget)

    def sealed_value(self, value: Any) -> Any:
        self.budget.step()
        self.budget.pay_for(value)
        return value

    def _load_template(self, name: str, globals: Any) -> Any:
        self.budget.templates += 1
        if self.budget.templates > MAX_TEMPLATES:
            raise TemplateLimit(
                f"more than {MAX_TEMPLATES} templates loaded in one brief; does a template "
                "include itself?",
                f"一份简报加载的模板超过 {MAX_TEMPLATES} 次；是否有模板包含自身？",
            )
        template = super()._load_template(name, globals)
        if template.filename and template.filename not in self.template_files:
            self.template_files.append(template.filename)
        return template

    # -- the sandbox's policy --

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if attr.startswith("_"):
            return False
        if isinstance(obj, LoopContext):
            return attr in LOOP_ATTRIBUTES
        if isinstance(obj, _GroupTuple):
            return attr in GROUP_ATTRIBUTES or attr in SAFE_METHODS[tuple]
        if isinstance(obj, Namespace | TemplateReference):
            return True  # a namespace's own values; `self.block` (a BlockReference)
        if isinstance(obj, BlockReference):
            return attr == "super"
        return any(isinstance(obj, t) and attr in names for t, names in SAFE_METHODS.items())

    def is_safe_callable(self, obj: Any) -> bool:
        if isinstance(obj, Macro | BlockReference | SealedFormat):
            return True
        if isinstance(obj, LoopContext):  # a recursive loop's `loop(children)`
            return True
        if isinstance(obj, MethodType | BuiltinMethodType):
            owner, name = getattr(obj, "__self__", None), obj.__name__
            if isinstance(owner, LoopContext):
                return name in ("cycle", "changed")
            if isinstance(owner, SealedEnvironment):
                return any(obj == f for f in self.sealed)
            return self.is_safe_attribute(owner, name, obj)
        return any(obj is f for f in self.sealed)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        if value.__name__ != "format":  # format_map: refused (a mapping's methods as fields)
            return None
        return SealedFormat(wrapped, value.__self__, self.budget)

    def getattr(self, obj: Any, attribute: str) -> Any:
        self.budget.step()
        if isinstance(obj, Undefined):  # `nope.x`: say that `nope` is undefined
            obj._fail_with_undefined_error()
        if type(obj) is dict and attribute in obj:  # data first: a key named `items` is data
            return obj[attribute]
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        self.budget.step()
        if isinstance(obj, Undefined):
            obj._fail_with_undefined_error()
        return super().getitem(obj, argument)

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        budget = __self.budget
        budget.step()
        if isinstance(__obj, Undefined):  # say what was missing or refused, not "Undefined"
            __obj._fail_with_undefined_error()
        if not __self.is_safe_callable(__obj):
            raise SecurityError(
                f"a template may call only macros, the brief's formatting functions and "
                f"the methods listed in procure.documents.sandbox; not {type(__obj).__name__}"
            )
        if isinstance(__obj, LoopContext) and args:  # recursive loop: its items pay too
            args = (__self.sealed_loop(__context, args[0]), *args[1:])
        macro = isinstance(__obj, Macro)
        if macro:
            budget.step(MACRO_STEPS)
            budget.depth += 1
            if budget.depth > MAX_DEPTH:
                raise TemplateLimit(
                    f"macros nest more than {MAX_DEPTH} deep; does a macro call itself?",
                    f"宏嵌套超过 {MAX_DEPTH} 层；是否有宏调用自身？",
                )
        try:
            out = super().call(__context, __obj, *args, **kwargs)
        finally:
            if macro:
                budget.depth -= 1
        budget.pay_for(out)
        return out

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        self.budget.step()
        ints = isinstance(left, int) and isinstance(right, int)
        if operator == "**" and ints and right > 0:
            if abs(left) > 1 and max(left.bit_length() - 1, 1) * right > MAX_INT_BITS:
                raise TemplateLimit(f"a power too large: over {MAX_INT_BITS} bits", "乘方结果过大")
        elif operator == "*" and ints:
            if left.bit_length() + right.bit_length() > MAX_INT_BITS:
                raise TemplateLimit(f"a product too large: over {MAX_INT_BITS} bits", "乘积过大")
        elif operator == "*":
            seq, n = (left, right) if isinstance(right, int) else (right, left)
            if isinstance(n, int) and isinstance(seq, str | list | tuple):
                self.budget.produce(weight(seq, MAX_SIZE) * max(n, 0))
        elif operator == "%" and isinstance(left, str):
            check_percent(left, right, self.budget)
        elif operator == "+" and isinstance(left, str | list | tuple):
            self.budget.pay_for((left, right))
        return super().call_binop(context, operator, left, right)

    def call_unop(self, context: Context, operator: str, arg: Any) -> Any:
        self.budget.step()
        return super().call_unop(context, operator, arg)
