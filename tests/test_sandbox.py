"""Sealed templates (issue #22 item 1): a `--templates` directory is untrusted code. It sees
plain data and the project's own formatting functions (the walk below finds every callable it
can reach, through any attribute the sandbox allows), and its work is bounded: every attack
is exit 2 with a clear message, nothing written, in bounded time and memory."""

from __future__ import annotations

import resource
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from jinja2 import Undefined
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel

from procure import recommendation as recommend_module
from procure.documents.report import _env, context, render
from procure.documents.sandbox import MAX_SIZE, MAX_WORK, SealedFormat
from procure.errors import InputError
from procure.inputs.load import load_scenario
from procure.recommendation import Recommendation, recommend

from .conftest import ROOT, run
from .test_hardening import assert_refused

BASE = ROOT / "tests" / "data" / "hardening" / "base.yaml"  # small, in English

# What a template may call, written out here on purpose: adding a method or a function to
# the sandbox must be a decision this test sees. Each returns no more than it is given.
CONTEXT_FUNCTIONS = {
    "keep",
    "cite",
    "source_text",
    "system_name",
    "bidder_text",
    "vendor_name",
    "enum",
    "figure",
    "day",  # an ISO date as the reader writes it (the plan's timeline), 10 characters in
    "cites",  # an English text's Chinese citations as [n]: shorter than what it is given
    "indicator_value",
    "alt_changes",  # an alternative's systems placed otherwise: a list of (id, "vendor/model")
}
GLOBAL_FUNCTIONS = {"range", "namespace", "dict"}
METHODS: dict[type, set[str]] = {
    str: {
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
    },
    dict: {"get", "items", "keys", "values"},
    list: {"count", "index"},
    tuple: {"count", "index"},
}

PLAIN_TYPES = (str, int, float, bool, type(None), dict, list, tuple)


@pytest.fixture(scope="module")
def rec() -> Recommendation:
    """One analysis for every test here: the templates are what is under test."""
    return recommend(load_scenario(BASE), BASE.parent)


def reachable(
    roots: dict[str, Any], env: SandboxedEnvironment, depth: int = 100
) -> list[tuple[str, Any]]:
    """Every (path, value) a template can reach from `roots`: items of dicts, lists and
    tuples, and every attribute of anything that the sandbox hands out (env.getattr, the
    lookup a template's `x.name` and `x['name']` use), at most `depth` steps down."""
    seen: set[int] = set()
    walked: set[type] = set()  # plain data's attributes depend on its type alone
    out: list[tuple[str, Any]] = []
    stack = [(path, value, 0) for path, value in roots.items()]
    while stack:
        path, value, level = stack.pop()
        if id(value) in seen or isinstance(value, Undefined):
            continue
        seen.add(id(value))
        out.append((path, value))
        if level >= depth:
            continue
        down = level + 1
        if isinstance(value, dict):
            stack += [(f"{path}[{k!r}]", v, down) for k, v in value.items()]
            stack += [(f"{path}.<key>", k, down) for k in value]
        elif isinstance(value, list | tuple):
            stack += [(f"{path}[{i}]", v, down) for i, v in enumerate(value)]
        if type(value) in PLAIN_TYPES:
            if type(value) in walked:
                continue
            walked.add(type(value))
        for name in dir(value):
            found = env.getattr(value, name)
            if not isinstance(found, Undefined) and found is not value:
                stack.append((f"{path}.{name}", found, down))
    return out


def disallowed(roots: dict[str, Any], env: SandboxedEnvironment, depth: int = 100) -> list[str]:
    """The reachable things that are classes, models, or callables not allowed above."""
    allowed_ids = {id(roots[k]) for k in CONTEXT_FUNCTIONS if k in roots}
    allowed_ids |= {id(env.globals[k]) for k in GLOBAL_FUNCTIONS if k in env.globals}
    bad = []
    for path, value in reachable(roots, env, depth):
        if isinstance(value, type | BaseModel):
            bad.append(f"{path}: {type(value).__name__}")
        elif not callable(value) or id(value) in allowed_ids or isinstance(value, SealedFormat):
            continue
        elif not any(
            isinstance(getattr(value, "__self__", None), kind)
            and getattr(value, "__name__", None) in names
            for kind, names in METHODS.items()
        ):
            bad.append(f"{path}: {value!r}"[:120])
    return bad


def test_nothing_callable_is_reachable_but_the_allowed(rec: Recommendation) -> None:
    for lang, fmt in (("en", "html"), ("zh", "md")):
        ctx = context(rec, lang, with_charts=fmt == "html")
        env = _env(None, fmt, [v for v in ctx.values() if callable(v)])
        assert set(ctx) >= CONTEXT_FUNCTIONS
        assert set(env.globals) == GLOBAL_FUNCTIONS  # no lipsum, cycler, joiner
        paths = reachable({**ctx, **env.globals}, env)
        assert len(paths) > 500  # the walk went down into the brief's data
        assert disallowed({**ctx, **env.globals}, env) == []


def test_the_walk_finds_a_model_handed_to_a_template(rec: Recommendation) -> None:
    """The walk can fail: handed the Recommendation model (as templates had it), Jinja's own
    sandbox reaches parse_raw and parse_file; the sealed one reports the model itself."""
    bad = disallowed({"r": rec}, SandboxedEnvironment(), depth=1)  # it has no end
    assert any(".parse_raw" in b for b in bad) and any(".parse_file" in b for b in bad)
    assert disallowed({"r": rec}, _env(None, "md", [])) == ["r: Recommendation"]
    assert any(".replace" in p for p, _ in reachable({"s": "x"}, SandboxedEnvironment()))
    assert disallowed({"s": "x"}, _env(None, "md", [])) == []


def _render(rec: Recommendation, tmp_path: Path, text: str, fmt: str = "md") -> str:
    (tmp_path / f"brief.{fmt}.j2").write_text(text, encoding="utf-8")
    return render(rec, fmt, "en", tmp_path).decode("utf-8")


ATTACKS = [
    # reaching Python: models, classes, methods with side effects, Jinja's globals
    ('{{ r.parse_raw("x", allow_pickle=True) }}', "no attribute 'parse_raw'"),
    ("{{ r.__class__.__mro__ }}", "unsafe"),
    ("{{ ''.__class__.__base__.__subclasses__() }}", "unsafe"),
    ("{{ t.title.format.__globals__ }}", "__globals__"),
    ('{{ "{0.__class__}".format(r) }}', "unsafe"),
    ('{{ "{0.items.__self__}".format(r) }}', "unsafe"),
    ('{{ "{0}".format_map(r) }}', "format_map"),
    ("{{ keep.__call__ }}", "unsafe"),
    ("{{ range.__self__ }}", "unsafe"),
    ("{{ lipsum.__globals__['os'].popen('id').read() }}", "'lipsum' is undefined"),
    ("{{ cycler.__init__.__globals__ }}", "'cycler' is undefined"),
    ("{{ joiner() }}", "'joiner' is undefined"),
    ("{{ namespace.__init__ }}", "unsafe"),
    ("{{ ''.join(['a']) }}", "unsafe"),
    ("{{ r.summary.append(1) }}", "unsafe"),
    ("{{ r.scenario.agency.name|attr('__class__') }}", "unsafe"),
    ("{% for x in [1] %}{{ loop._iterator }}{% endfor %}", "unsafe"),
    ("{% for x in [1] %}{{ loop.cycle.__self__ }}{% endfor %}", "unsafe"),
    ("{{ self.__init__ }}", "unsafe"),
    ("{{ r|pprint }}", "No filter named 'pprint'"),
    # loops, ranges, recursion
    ("{% for i in range(100001) %}{% endfor %}", "at most 100,000"),
    ("{{ range(10**100) }}", "range()"),
    ("{% for a in range(99999) %}{% for b in range(99999) %}{% endfor %}{% endfor %}", "steps"),
    (
        "{% set L = range(3000)|list %}{% for a in L %}{% for b in L %}{% endfor %}{% endfor %}",
        "steps",
    ),
    ("{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}", "nest more than"),
    (
        "{% macro f(n) %}{% if n %}{{ f(n-1) }}{{ f(n-1) }}{% endif %}{% endmacro %}{{ f(30) }}",
        "steps",
    ),
    ("{% include 'brief.md.j2' %}", "templates loaded"),
    ("{% extends 'brief.md.j2' %}", "templates loaded"),
    ("{% for x in r.summary recursive %}{{ loop(r.summary) }}{% endfor %}", "too deeply"),
    # allocations
    ("{{ 'x' * 10**10 }}", "produces more than"),
    ("{{ [1] * 10**9 }}", "produces more than"),
    ("{{ [r] * 1000 }}", "produces more than"),
    ("{{ 10 ** 5000 }}", "too large"),
    (
        "{% set ns = namespace(n=3) %}{% for i in range(40) %}{% set ns.n = ns.n * ns.n %}"
        "{% endfor %}",
        "too large",
    ),
    (
        "{% set ns = namespace(s='x') %}{% for i in range(60) %}{% set ns.s = ns.s ~ ns.s %}"
        "{% endfor %}",
        "produces more than",
    ),
    (
        "{% set ns = namespace(s='x') %}{% for i in range(60) %}{% set ns.s = ns.s + ns.s %}"
        "{% endfor %}",
        "produces more than",
    ),
    (
        "{% set ns = namespace(s='x') %}{% for i in range(60) %}{% set s %}{{ ns.s }}{{ ns.s }}"
        "{% endset %}{% set ns.s = s %}{% endfor %}",
        "produces more than",
    ),
    (
        "{% set ns = namespace(l=[]) %}{% for i in range(99999) %}{% set ns.l = ns.l + [r] %}"
        "{% endfor %}",
        "produces more than",
    ),
    (
        "{% for i in range(99999) %}{% for j in range(999) %}xxxxxxxxxxxxxxxx{% endfor %}"
        "{% endfor %}",
        "produces more than",
    ),
    (
        "{% filter upper %}{% for i in range(99999) %}" + "x" * 300 + "{% endfor %}{% endfilter %}",
        "produces more than",
    ),
    ("{{ '%0999999999d' % 1 }}", "width"),
    ("{{ '%.999999999f' % 1 }}", "width"),
    ("{{ '%*d' % (999999999, 1) }}", "width"),
    ("{{ ('%(a)s' * 99999) % {'a': r} }}", "produces more than"),
    ('{{ "{x:>999999999}".format(x=1) }}', "width"),
    ('{{ "{x:{w}}".format(x=1, w=10**9) }}', "another field"),
    ("{{ ('{0}' * 99999).format(r) }}", "produces more than"),
    ('{{ "%999999999s"|format("x") }}', "width"),
    ("{{ 'x'|center(10**9) }}", "width"),
    ("{{ 'x'|indent(10**9) }}", "width"),
    ("{{ ('x' * 99999)|replace('', 'y' * 99999) }}", "produces more than"),
    ("{{ range(99999)|join('x' * 99999) }}", "produces more than"),
    ("{{ [1]|batch(10**9, 0)|list }}", "batch"),
    ("{{ [1]|batch(99999, r)|list }}", "produces more than"),
    ("{{ [1]|slice(10**9)|list }}", "slice"),
    ("{{ r|tojson(10**9) }}", "indent"),
    ("{{ [[1]] * 99 | sum(start=[]) }}", "numbers only"),
    ("{{ source_text('(' * 5000 + 'a' * 5000) }}", "at most 500"),
    ("{{ day('9' * 5000) }}", "YYYY-MM-DD"),
    ("{{ day('2026-13-45') }}", "ValueError"),
    ("{{ cites('x' * 20001) }}", "at most 20,000"),
    # whatever else a template's code raises is its own error, exit 2
    ("{{ 1 / 0 }}", "ZeroDivisionError"),
    ("{{ 10.0 ** 400 }}", "OverflowError"),
    ("{{ bidder_text({'vendor': 1}) }}", "ValidationError"),
    ("{{ nope }}", "'nope' is undefined"),
    ("{% for %}", "template error"),
]


@pytest.mark.parametrize(("text", "words"), ATTACKS, ids=[a[0][:40] for a in ATTACKS])
def test_attacks_are_bad_input(rec: Recommendation, tmp_path: Path, text: str, words: str) -> None:
    start = time.process_time()
    with pytest.raises(InputError) as caught:
        _render(rec, tmp_path, text)
    message = str(caught.value)
    assert words in message, message
    assert "brief.md.j2" in message and "--templates" in message
    assert len(message) < 600
    assert time.process_time() - start < 15  # bounded: the budget, not the machine, stops it


def test_a_huge_or_deeply_nested_template_is_refused(rec: Recommendation, tmp_path: Path) -> None:
    for text, words in [
        ("x" * 1_000_001, "over 1,000,000 bytes"),
        ("{{ " + "(" * 5000 + "1" + ")" * 5000 + " }}", "nests too deeply"),
    ]:
        with pytest.raises(InputError) as caught:
            _render(rec, tmp_path, text)
        assert words in str(caught.value) and "brief.md.j2" in str(caught.value)


def test_memory_stays_bounded(rec: Recommendation, tmp_path: Path) -> None:
    """The largest of the allocation attacks, in one process: well under 1 GB at its peak."""
    for text, _ in ATTACKS:
        if "produces" in _ or "width" in _:
            with pytest.raises(InputError):
                _render(rec, tmp_path, text)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss < 1_000_000  # KiB


def test_ordinary_template_features_still_work(rec: Recommendation, tmp_path: Path) -> None:
    text = (
        "{% set ns = namespace(n=0) %}{% for s in r.summary %}{% set ns.n = ns.n + 1 %}"
        "{{ loop.cycle('a', 'b') }}{% endfor %}|{{ ns.n }}|{{ dict(x=1).x }}"
        "|{{ r.summary[0].en.split()[0].upper() }}|{{ '%.1f' % 2.25 }}|{{ '{:>4}'.format(7) }}"
        "|{{ r.award.cost_breakdown.items()|list|length > 0 }}|{{ range(3)|join(',') }}"
        "{% macro m(x) %}<{{ x }}{{ caller() }}>{% endmacro %}|{% call m(1) %}c{% endcall %}"
        "|{{ 2 ** 10 }}|{{ r.award.total_cost_cny|money(lang) }}|{{ system_name('nope') }}"
    )
    out = _render(rec, tmp_path, text)
    n = len(rec.summary)
    assert out.startswith("ab"[: min(n, 2)])
    first = rec.summary[0].en.split()[0].upper()
    assert f"|{n}|1|{first}|2.2|   7|True|0,1,2|<1c>|1024|" in out
    assert out.endswith("|nope")


def test_bundled_brief_is_well_inside_the_budget(rec: Recommendation) -> None:
    """The bundled templates use a small share of the bounds (the large-tender brief shows at
    most 30 systems in its tables), so the bounds cannot refuse a real brief."""
    ctx = context(rec, "en", with_charts=True)
    env = _env(None, "html", [v for v in ctx.values() if callable(v)])
    html = "".join(env.get_template("brief.html.j2").generate(**ctx))
    assert "<html" in html
    assert env.budget.work < MAX_WORK / 100 and env.budget.size < MAX_SIZE / 20


# -- the reproducers through the real CLI: exit 2, a clear message, nothing written --

D00 = (
    '{{ r.parse_raw("cposix\\nsystem\\np0\\n(Vid > PWNED-by-template-nofile\\np1\\ntp2\\n'
    "Rp3\\n.\", content_type='application/pickle', allow_pickle=True) }}"
)


@pytest.mark.parametrize(
    ("name", "text", "words"),
    [
        ("D00-parse-raw-pickle", D00, "no attribute 'parse_raw'"),
        ("D10-t09-range", "{% for i in range(100001) %}{% endfor %}ok", "at most 100,000"),
        ("D10-t11-include", "{% include 'brief.md.j2' %}", "templates loaded"),
    ],
)
def test_reproducers_via_the_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, text: str, words: str
) -> None:
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / name
    folder.mkdir()
    (folder / "brief.md.j2").write_text(text, encoding="utf-8")
    out = tmp_path / "out.md"
    result = run("brief", str(BASE), "--templates", str(folder), "-o", str(out))
    assert_refused(result, 2, words, "brief.md.j2:1", "--templates")
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]  # no PWNED, no out.md


@pytest.mark.parametrize(
    "text",
    [a[0] for a in ATTACKS if a[1] in ("produces more than", "unsafe")][::3],
)
def test_variants_via_the_cli(
    rec: Recommendation, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    """The variants through the CLI (its analysis replaced by the one computed above, for
    speed): exit 2, no traceback, nothing written."""
    monkeypatch.setattr(recommend_module, "recommend", lambda *a, **k: rec)
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "brief.html.j2").write_text(text, encoding="utf-8")
    out = tmp_path / "out.html"
    result = run("brief", str(BASE), "--templates", str(tmp_path / "t"), "-o", str(out))
    assert_refused(result, 2, "brief.html.j2", "template error")
    assert not out.exists()


# -- fuzz: random templates from the pieces attacks are made of --

ATOMS = [
    "r",
    "t",
    "r.summary",
    "r.award",
    "r.scenario",
    "lang",
    "1",
    "10**9",
    "99999",
    "3.5",
    "-1",
    "'x'",
    "'%s%s'",
    "'{0}{0}'",
    "[r]",
    "r.summary[0]",
    "range(7)",
    "cited",
    "charts",
    "namespace(a=1)",
    "dict(a=r)",
    "nope",
    "''",
    "()",
    "keep",
    "cite",
    "t.title",
    "self",
]
ATTRS = [
    "__class__",
    "items",
    "keys",
    "upper",
    "format",
    "split",
    "en",
    "parse_raw",
    "model_dump",
    "__globals__",
    "append",
    "get",
    "mro",
    "__self__",
    "format_map",
    "join",
    "replace",
]
OPS = ["+", "*", "%", "**", "~", "//", "/", "-", "in", "=="]
FILTERS = [
    "|length",
    "|list",
    "|join('x')",
    "|center(99)",
    "|upper",
    "|string",
    "|tojson",
    "|batch(3)",
    "|sum",
    "|first",
    "|replace('x', 'yy')",
    "|format(1)",
    "|indent(8)",
    "|sort",
    "|unique|list",
    "|map('string')|list",
    "|money(lang)",
    "|pct",
    "|attr('__class__')",
    "|dictsort",
    "|int",
]


def _expressions() -> st.SearchStrategy[str]:
    return st.recursive(
        st.sampled_from(ATOMS),
        lambda inner: st.one_of(
            st.tuples(inner, st.sampled_from(ATTRS)).map(lambda p: f"({p[0]}).{p[1]}"),
            st.tuples(inner, st.lists(inner, max_size=2)).map(
                lambda p: f"({p[0]})({', '.join(p[1])})"
            ),
            st.tuples(inner, st.sampled_from(OPS), inner).map(lambda p: f"({p[0]} {p[1]} {p[2]})"),
            st.tuples(inner, st.sampled_from(FILTERS)).map(lambda p: f"({p[0]}){p[1]}"),
            inner.map(lambda e: f"[{e}, {e}]"),
        ),
        max_leaves=8,
    )


def _statements() -> st.SearchStrategy[str]:
    e = _expressions()
    return st.one_of(
        e.map(lambda x: "{{ " + x + " }}"),
        e.map(lambda x: "{% for a in " + x + " %}{{ a }}{% endfor %}"),
        st.tuples(e, e).map(
            lambda p: (
                "{% for a in " + p[0] + " %}{% for b in " + p[1] + " %}{{ a ~ b }}"
                "{% endfor %}{% endfor %}"
            )
        ),
        e.map(
            lambda x: (
                "{% set ns = namespace(v=" + x + ") %}{% for i in range(60) %}"
                "{% set ns.v = ns.v ~ ns.v %}{% endfor %}{{ ns.v|length }}"
            )
        ),
        e.map(lambda x: "{% macro m(n) %}{{ " + x + " }}{{ m(n) }}{% endmacro %}{{ m(1) }}"),
    )


@given(body=st.lists(_statements(), min_size=1, max_size=3))
@settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
def test_random_templates_render_or_are_refused(body: list[str], rec_for_fuzz: Any) -> None:
    """Whatever a template says: it renders, or it is refused as bad input (InputError, exit
    2); never another exception, never past the bounds in time or memory."""
    rec, folder = rec_for_fuzz
    text = "".join(body)
    (folder / "brief.md.j2").write_text(text, encoding="utf-8")
    start = time.process_time()
    try:
        out = render(rec, "md", "en", folder).decode("utf-8")
        assert len(out) <= MAX_SIZE
        event("rendered")
    except InputError as exc:
        assert "brief.md.j2" in str(exc) and "template error" in str(exc), str(exc)
        event("refused: " + str(exc).split("template error: ")[-1][:25])
    assert time.process_time() - start < 15, text
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss < 1_000_000, text  # KiB


@pytest.fixture(scope="module")
def rec_for_fuzz(rec: Recommendation, tmp_path_factory: pytest.TempPathFactory) -> Any:
    return rec, tmp_path_factory.mktemp("fuzz")
