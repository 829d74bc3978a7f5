"""Render a Recommendation as JSON, Markdown, HTML or PDF. Formatting only: no judgement here.

PDF: WeasyPrint with a URL fetcher that refuses everything except the package's own template
files; written to a temporary file and moved into place, so a failure leaves nothing behind.
"""

from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess
import threading
import traceback
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    select_autoescape,
)
from markupsafe import Markup

from procure.advice.knowledge import knowledge
from procure.analysis.explain import LISTED, BidderOutcome, describe
from procure.catalog import catalog, templates_dir
from procure.documents.inputs import input_tables, settings, value_text
from procure.documents.sandbox import SealedEnvironment, TemplateLimit, plain
from procure.errors import InputError, Problem, ProcureError, excerpt
from procure.inputs.bids import csv_text
from procure.inputs.record import BRIEF_JSON
from procure.inputs.yamlio import dump_yaml
from procure.money import fmt_money, fmt_pct, fmt_signed
from procure.recommendation import Recommendation, plan_dates, relaxed_requirements
from procure.text import CITATION, fmt_date

MAX_TEMPLATE_BYTES = 1_000_000  # a template file (the bundled ones: under 8 KB each)


class ConfinedLoader(FileSystemLoader):
    """Loads a template only if its real path (symlinks resolved) lies inside the directory
    it was found in: a symlink or `..` in a user's template directory cannot reach other files."""

    def get_source(self, environment: Environment, template: str) -> Any:
        for root in self.searchpath:
            real_root = Path(root).resolve()
            candidate = (Path(root) / template).resolve()
            if candidate.is_relative_to(real_root) and candidate.is_file():
                if candidate.stat().st_size > MAX_TEMPLATE_BYTES:
                    raise TemplateLimit(
                        f"template '{excerpt(template)}' is over {MAX_TEMPLATE_BYTES:,} bytes",
                        f"模板“{excerpt(template)}”超过 {MAX_TEMPLATE_BYTES:,} 字节",
                    )
                return FileSystemLoader(str(real_root)).get_source(
                    environment, str(candidate.relative_to(real_root))
                )
        raise TemplateNotFound(template)


_MD_SPECIAL = str.maketrans(
    {
        **{c: "\\" + c for c in "\\`*_[]|#"},
        "<": "&lt;",
        ">": "&gt;",
        "&": "&amp;",
        "\n": " ",
        "\r": " ",
    }
)


def md_escape(value: Any) -> Any:
    """What Jinja prints into Markdown: text cannot open a tag, a link, emphasis or a table
    cell (the Markdown counterpart of HTML autoescaping). Numbers and safe markup pass as
    they are."""
    if isinstance(value, Markup) or not isinstance(value, str):
        return value
    return value.translate(_MD_SPECIAL)


def _env(
    template_dir: Path | None, fmt: str, sealed: list[Callable[..., Any]]
) -> SealedEnvironment:
    """The sealed sandbox (`procure.documents.sandbox`): a user's template formats plain data with the
    project's own pure functions (`sealed`, and the money filters), within a bounded budget;
    it can call nothing else."""
    dirs = [str(template_dir)] if template_dir else []
    dirs.append(str(templates_dir()))
    env = SealedEnvironment(
        loader=ConfinedLoader(dirs),
        undefined=StrictUndefined,
        autoescape=select_autoescape(enabled_extensions=("html", "j2"), default_for_string=True)
        if fmt == "html"
        else False,
        finalize=md_escape if fmt == "md" else None,
        trim_blocks=True,
        lstrip_blocks=True,
        sealed=sealed,
    )
    env.add_filter("money", fmt_money)
    env.add_filter("signed", fmt_signed)
    env.add_filter("pct", fmt_pct)
    env.add_filter("date", brief_date)
    return env


def brief_date(day: str, lang: str) -> str:
    """A date as the brief prints it: 2026年12月4日 in Chinese, 4 December 2026 in English; a
    value that is not an ISO date prints as it is."""
    try:
        text = fmt_date(day, lang)
    except (TypeError, ValueError):
        return str(day)
    if lang == "zh":
        return text
    d = datetime.fromisoformat(text)
    return f"{d.day} {d.strftime('%B')} {d.year}"


def _render(template_dir: Path | None, fmt: str, name: str, **ctx: Any) -> str:
    """Render a template; any failure inside it is bad input (exit 2) naming the template and
    line; so is a template that goes past the render's bounds (work, size, recursion)."""
    where = str(template_dir or templates_dir())
    env = _env(template_dir, fmt, [v for v in ctx.values() if callable(v)])
    out: list[str] = []
    try:
        for piece in env.get_template(name).generate(**ctx):
            env.budget.produce(len(piece))
            out.append(piece)
    except TemplateNotFound as exc:
        place = str(template_dir) if template_dir else "the bundled templates"
        raise InputError(
            [
                Problem(
                    where,
                    f"template '{excerpt(exc.name)}' is not a file inside {place}; a template "
                    "may include only files inside its own directory (symlinks out of it are "
                    "refused) or the bundled templates",
                    field="--templates",
                )
            ]
        ) from None
    except TemplateError as exc:  # syntax, undefined names, the sandbox, the budget
        file, line = _where(exc, env.template_files)
        named = getattr(exc, "filename", None) or getattr(exc, "name", None)
        raise InputError(
            [
                Problem(
                    str(file or named or Path(where) / name),
                    f"template error: {excerpt(exc.message or exc, 300)}",
                    line=getattr(exc, "lineno", None) or line,
                    field="--templates",
                    zh=f"模板出错：{getattr(exc, 'zh', '') or excerpt(exc.message or exc, 300)}",
                )
            ]
        ) from None
    except Exception as exc:  # whatever a template's code raises is its input's fault
        file, line = _where(exc, env.template_files)
        if isinstance(exc, RecursionError):
            what = (
                "the template recurses or nests too deeply (a macro or include that calls "
                "itself, or expressions nested thousands deep)"
            )
            zh = "模板递归或嵌套过深（宏或包含调用了自身，或表达式嵌套上千层）"
        elif isinstance(exc, MemoryError):
            what, zh = "the template needs too much memory", "模板占用内存过多"
        else:
            what = f"{type(exc).__name__}: {excerpt(exc, 200)}"
            zh = what
        raise InputError(
            [
                Problem(
                    file or str(Path(where) / name),
                    f"template error: {what}",
                    line=line,
                    field="--templates",
                    zh=f"模板出错：{zh}",
                )
            ]
        ) from None
    return "".join(out)


def _where(exc: BaseException, files: list[str]) -> tuple[str | None, int | None]:
    """The template file and line an exception was raised at (Jinja maps its frames onto the
    template's lines): the innermost frame in a template file; else the page, no line."""
    found: tuple[str | None, int | None] = (files[0] if files else None, None)
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename in files:
            found = (frame.filename, frame.lineno)
    return found


def context(
    rec: Recommendation, lang: str, with_charts: bool, as_images: bool = False
) -> dict[str, Any]:
    t = catalog(lang)
    rec = rec.model_copy(update={"language": lang})
    deciding = _shown(rec)  # a large brief's deciding systems, once for tables and chart
    dated = plan_dates(rec.plan)  # the plan's dates: the route chapter refers to them
    charts = {}
    if with_charts:
        if _preloading is not None:  # matplotlib is not thread-safe: let the warm-up finish
            _preloading.join()
        from procure.documents import charts as ch

        charts = {
            "readiness": ch.readiness_chart(rec, t),
            "cashflow": ch.cashflow_chart(rec, t),
            "frontier": ch.frontier_chart(rec, t),
            "vendor_cost": ch.vendor_cost_chart(rec, t),
            "robustness": ch.robustness_chart(rec, t, deciding),
            # days from the start, undated: only where the plan gives no dates
            "timeline": ch.timeline_chart(rec, t) if dated is None else "",
        }
        if as_images:
            charts = {name: _as_image(svg) for name, svg in charts.items()}
    cited: list[str] = []

    def cite(source: str) -> str:
        """'[n]', n numbered in order of first use; the sources list shows only these."""
        if source not in cited:
            cited.append(source)
        return f"[{cited.index(source) + 1}]"

    systems = {s["id"]: s["name"] for s in rec.scenario.get("systems", [])}
    shown = deciding or set(systems)
    vendors = {vid: name(lang) for vid, name in rec.vendor_names.items()}
    names = dict(systems)  # describe() reads these; the template never sees the dict itself
    agency = dict(plain(rec.scenario).get("agency") or {})

    awarded = {a.system: f"{a.vendor}/{a.model}" for a in rec.award.systems} if rec.award else {}

    def alt_changes(alt: dict[str, Any]) -> list[tuple[str, str]]:
        """An alternative's systems placed otherwise than in the award ("vendor/model"): what
        a large brief lists of it (its every system would take pages per alternative)."""
        return [(k, v) for k, v in alt["assignment"].items() if awarded.get(k) != v]

    def bidder_text(o: dict[str, Any]) -> str:
        return describe(
            BidderOutcome.model_validate(o),
            names,
            lang,
            LISTED if len(systems) > SUMMARY_SYSTEMS else None,
        )

    return {  # plain data and pure formatting functions only (tests/test_sandbox.py walks it)
        "r": plain(rec),
        "t": dict(t),
        "lang": lang,
        "charts": dict(charts),
        "scenario_yaml": dump_yaml(_appendix(rec, t)),
        "plan_dates": dated(lang) if dated is not None else "",
        "input_tables": input_tables(
            plain(rec.scenario),
            lang,
            vendors,
            {k: short for k, (short, _) in relaxed_requirements(rec.plan).items()},
        ),
        "settings": settings(lang),
        "indicator_value": lambda c: indicator_value(c, agency, lang),
        "big": len(systems) > SUMMARY_SYSTEMS,
        "keep": lambda sid: sid in shown,
        "shown_note": t["summary_note"].format(shown=len(shown), total=len(systems))
        if len(shown) < len(systems)
        else "",
        "cite": cite,
        "cited": cited,
        "source_text": lambda s: source_text(_short(s), lang),
        "system_name": lambda sid: systems.get(sid, sid),
        "bidder_text": bidder_text,
        "listed": LISTED,
        "shown_rows": SHOWN_SYSTEMS,
        "alt_changes": alt_changes,
        "vendor_name": lambda vid: vendors.get(vid, vid),
        "enum": lambda v: t.get("val_" + str(v).replace(" ", "_"), v),
        "figure": lambda m: figure(m, lang),
        "day": lambda iso: fmt_date(_iso(iso), lang),
        "cites": (lambda text: cites(text, cite)) if lang == "en" else (lambda text: _text(text)),
    }


MAX_TEXT = 20_000  # a text handed to `cites` (the plan's longest reason is about 1,000)


def _text(value: str) -> str:
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise TemplateLimit(f"cites: a text is a string of at most {MAX_TEXT:,} characters")
    return value


def cites(text: str, cite: Callable[[str], str]) -> str:
    """An English text with each Chinese citation (《title》 and its article) replaced by its
    [n]: the citation itself is listed under Sources, as the brief's other citations are."""
    return CITATION.sub(lambda m: cite(m.group(0)), _text(text))


def _iso(value: str) -> str:
    """An ISO date handed to `day` by a template: 10 characters, or refused."""
    if not isinstance(value, str) or len(value) != 10:
        raise TemplateLimit("day: a date is a string YYYY-MM-DD")
    return value


def indicator_value(c: dict[str, Any], agency: dict[str, Any], lang: str) -> str:
    """A readiness indicator's value (its plain data) in the brief's words, from the agency's
    own setting as the inputs annex shows it: the budget in 万元, staff counted, a share as a
    percentage, levels as words."""
    fields = {i.id: i.field for f in knowledge().readiness.factors for i in f.indicators}
    field = fields.get(str(c.get("indicator")))
    if field is None or field not in agency:
        return str(c.get("value"))
    return value_text(f"agency.{field}", agency[field], lang)


def figure(m: dict[str, Any], lang: str) -> str:
    """A market figure (its plain data) as the brief prints it."""
    value, unit = m["value"], m["unit"]
    if unit == "bn CNY":
        return fmt_money(value * 1e9, lang)
    return f"{value}{unit}" if unit == "%" else f"{value} {unit}"


def _short(source: str) -> str:
    """A citation handed to source_text by a template: a source's length, not a document's
    (its patterns backtrack on long text)."""
    if not isinstance(source, str) or len(source) > 500:
        raise TemplateLimit("source_text: a citation is a string of at most 500 characters")
    return source


_CHAPTER = re.compile(r'(?:iResearch 2020, )?ch\.([0-9]+)(-[0-9]+)?, "([^"]+)"')
_GLOSS = re.compile(r"\s*\((?:[^()]|\([^()]*\))*[A-Za-z](?:[^()]|\([^()]*\))*\)")
REPORT_ZH = "艾瑞咨询《中国政务云行业研究报告》（2020）"


def source_text(source: str, lang: str) -> str:
    """A citation as the brief's reader reads it: in Chinese for a Chinese brief (the law by
    its Chinese title and article without the English gloss, the report by its Chinese title
    and chapter)."""
    if lang != "zh":
        return source
    text = _GLOSS.sub("", source)

    def chapter(m: re.Match[str]) -> str:
        cases = "（典型案例）" if m.group(2) else ""
        return f"第{m.group(1)}章{cases}“{m.group(3)}”"

    prefix = REPORT_ZH if text.startswith("iResearch") else ""
    return prefix + _CHAPTER.sub(chapter, text).replace("; ", "；")


SYSTEMS_CSV = "systems.csv"
SUMMARY_SYSTEMS = 40  # past this many systems the brief's tables show the deciding ones
SHOWN_SYSTEMS = 30  # at most this many of them


def deciding_systems(rec: Recommendation) -> list[str]:
    """The systems a reader of a large brief must see: those not on their best-fit model,
    those whose placement flips near the weights, then the costliest (at most SHOWN_SYSTEMS)."""
    award = {s.system: s for s in rec.award.systems} if rec.award else {}
    best = {p.system: p.recommended for p in rec.assessment.deployment.placements}
    deviating = sorted(
        (sid for sid, s in award.items() if s.model != best.get(sid)),
        key=lambda sid: -award[sid].cost_cny,
    )
    flipping = sorted(
        {
            f.system
            for c in (rec.robustness.criteria if rec.robustness else [])
            for f in c.flips
            if abs(f.at - c.base) < 0.05
        }
    )
    costliest = [s.system for s in sorted(award.values(), key=lambda s: -s.cost_cny)]
    out: list[str] = []
    for sid in [*deviating, *flipping, *costliest]:
        if sid not in out and len(out) < SHOWN_SYSTEMS:
            out.append(sid)
    return out


def systems_csv(rec: Recommendation, lang: str) -> bytes:
    """Every system's row (fit by model, the recommendation, the award) for a spreadsheet:
    what a large brief's tables leave out."""
    import csv

    t = catalog(lang)
    award = {s.system: s for s in rec.award.systems} if rec.award else {}
    models = ("private", "dedicated", "public", "hybrid")
    stream = io.StringIO()
    out = csv.writer(stream, lineterminator="\r\n")
    out.writerow(
        [
            t["system"],
            t["term_col_id"],
            *(t[f"model_{m}"] for m in models),
            t["recommended"],
            t["vendor"],
            t["model"],
            t["cost_over_term"],
        ]
    )
    names = {vid: name(lang) for vid, name in rec.vendor_names.items()}
    for p in rec.assessment.deployment.placements:
        fits = {f.model: f.score for f in p.fits}
        s = award.get(p.system)
        out.writerow(
            [
                csv_text(p.name),
                p.system,
                *("" if fits.get(m) is None else fits[m] for m in models),
                t[f"model_{p.recommended}"],
                csv_text(names.get(s.vendor, s.vendor)) if s else "",
                t[f"model_{s.model}"] if s else "",
                s.cost_cny if s else "",
            ]
        )
    return stream.getvalue().encode("utf-8-sig")


def _shown(rec: Recommendation) -> set[str] | None:
    """The systems a large brief's tables and charts show (the deciding ones); None: all."""
    if len(rec.scenario.get("systems", [])) <= SUMMARY_SYSTEMS:
        return None
    return set(deciding_systems(rec))


def _appendix(rec: Recommendation, t: dict[str, str]) -> dict[str, Any]:
    """The scenario for the appendix; a large one without its systems (they are in the
    attached scenario file and systems.csv)."""
    systems = rec.scenario.get("systems", [])
    if len(systems) <= SUMMARY_SYSTEMS:
        return rec.scenario
    out = {**rec.scenario, "systems": t["appendix_systems"].format(n=len(systems))}
    bidders = rec.scenario.get("vendors")
    if isinstance(bidders, list):  # inline bidders: 40 of them took 22 pages
        out["vendors"] = t["appendix_vendors"].format(n=len(bidders))
    return out


CHART_URL = "data:image/svg+xml;base64,"


def _as_image(svg: str) -> str:
    """A chart as an <img> with an SVG data URL. Inline, its ~1,000 elements would go through
    the page's CSS cascade; as an image WeasyPrint draws the same vectors and text without it
    (prefecture brief: 1.33 s -> 1.10 s)."""
    if not svg:
        return ""
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return f'<img alt="" src="{CHART_URL}{data}">'


def render_html(
    rec: Recommendation, lang: str, template_dir: Path | None = None, *, for_pdf: bool = False
) -> str:
    """The brief as HTML: charts inline as SVG, or as SVG images when it is laid out as PDF."""
    return _render(
        template_dir,
        "html",
        "brief.html.j2",
        **context(rec, lang, with_charts=True, as_images=for_pdf),
    )


def render_markdown(rec: Recommendation, lang: str, template_dir: Path | None = None) -> str:
    return _render(template_dir, "md", "brief.md.j2", **context(rec, lang, with_charts=False))


def require_cjk_font() -> None:
    """Refuse a Chinese brief when no CJK font is installed, rather than render boxes."""
    fc_list = shutil.which("fc-list")
    found = ""
    if fc_list:
        found = subprocess.run(
            [fc_list, ":lang=zh", "family"], capture_output=True, text=True, check=False
        ).stdout.strip()
    if not found:
        raise InputError(
            [
                Problem(
                    "--lang zh",
                    "no Chinese (CJK) font is installed, so the "
                    "brief would show boxes. Install one: "
                    "sudo apt-get install fonts-wqy-microhei (or fonts-noto-cjk)",
                )
            ]
        )


def render_pdf(
    rec: Recommendation,
    lang: str,
    template_dir: Path | None = None,
    attach: Sequence[tuple[str, bytes]] = (),
) -> bytes:
    """The brief as PDF; `attach` (name, bytes) are embedded as file attachments."""
    if lang == "zh":
        require_cjk_font()
    html = render_html(rec, lang, template_dir, for_pdf=True)
    return pdf_from_html(
        html, template_dir, attach, stamp_of(rec.record.date if rec.record else None)
    )


def pdf_from_html(
    html: str,
    template_dir: Path | None = None,
    attach: Sequence[tuple[str, bytes]] = (),
    stamp: datetime | None = None,
) -> bytes:
    """Lay out HTML as PDF, fetching only bundled or template files (never the network), with
    `attach` (name, bytes) embedded, dated `stamp` (else now); also the evaluation report's
    renderer."""
    from weasyprint import Attachment

    refused: list[str] = []
    document = layout(html, template_dir, refused)
    files = [
        Attachment(file_obj=io.BytesIO(raw), name=name, created=stamp, modified=stamp)
        for name, raw in attach
    ]
    payload = bytes(
        document.write_pdf(
            pdf_identifier=b"procure-brief", uncompressed_pdf=False, attachments=files
        )
    )
    _refuse(refused, template_dir)  # a template's <link rel=attachment> is fetched only now
    return payload


def layout(html: str, template_dir: Path | None = None, refused: list[str] | None = None) -> Any:
    """The laid-out pages (a WeasyPrint Document) of the HTML, fetching only bundled or template
    files (never the network); what the PDF draws, and what the layout tests measure. The
    document keeps fetching when written (attachments): the URLs it refuses then are added to
    `refused`, for the writer to check (`pdf_from_html`)."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    allowed = [templates_dir().resolve()] + ([template_dir.resolve()] if template_dir else [])
    asked: list[str] = [] if refused is None else refused

    class LocalOnly(URLFetcher):  # type: ignore[misc]
        """Fetch only files inside the template directories and the charts' own data URLs;
        never the network."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith(CHART_URL):  # our own charts: decoded here, nothing fetched
                body = base64.b64decode(url.removeprefix(CHART_URL))
                return URLFetcherResponse(url, body, {"Content-Type": "image/svg+xml"})
            if url.startswith("file://"):  # decode %2e%2e first, then resolve symlinks
                path = Path(unquote(urlsplit(url).path)).resolve()
                if path.is_file() and any(path.is_relative_to(a) for a in allowed):
                    return super().fetch(path.as_uri(), headers)
            asked.append(url)
            raise ValueError(f"refused to fetch {url}: the brief uses only bundled files")

    document = HTML(
        string=html,
        base_url=str(allowed[-1]) + "/",
        url_fetcher=LocalOnly(allowed_protocols=["file"]),
    ).render()
    _refuse(asked, template_dir)
    return document


def _refuse(refused: list[str], template_dir: Path | None) -> None:
    """Exit 2 if a template asked for something outside its directory: bad input, not a PDF."""
    if refused:
        raise InputError(
            [
                Problem(
                    str(template_dir or templates_dir()),
                    f"a template asks for '{excerpt(refused[0])}', outside the template "
                    "directories; templates may use only files inside their own directory or "
                    "the bundled ones, and never the network",
                    field="--templates",
                )
            ]
        )


def stamp_of(date: str | None) -> datetime | None:
    """The attachments' dates: the record's date (midnight UTC), so that the same inputs laid
    out again give the same bytes (`procure verify` compares them); None (now) without one."""
    try:
        return datetime.fromisoformat(date) if date else None
    except ValueError:
        return None


_preloading: threading.Thread | None = None


def preload(fmt: str) -> None:
    """Load the PDF renderer's libraries (WeasyPrint, matplotlib: about 1 s) in a thread while
    the analysis runs; HiGHS releases the GIL while it solves, so the two overlap."""
    global _preloading
    if fmt == "pdf" and _preloading is None:
        _preloading = threading.Thread(target=_import_renderers, name="procure-preload")
        _preloading.start()


def _import_renderers() -> None:
    try:
        import weasyprint  # noqa: F401

        from procure.documents import charts

        charts.warm_up()
    except Exception:  # rendering imports them again and reports any failure
        return


def render(
    rec: Recommendation,
    fmt: str,
    lang: str,
    template_dir: Path | None = None,
    attach: Sequence[tuple[str, bytes]] = (),
) -> bytes:
    """The brief in `fmt`; a PDF carries `attach` (its input files) as attachments, and its
    JSON numbers as brief.json, for `procure verify`."""
    if fmt == "json":
        return (rec.model_dump_json(indent=2) + "\n").encode("utf-8")
    if fmt == "md":
        return render_markdown(rec, lang, template_dir).encode("utf-8")
    if fmt == "html":
        return render_html(rec, lang, template_dir).encode("utf-8")
    if fmt == "pdf":
        if attach:
            attach = [*attach, (BRIEF_JSON, render(rec, "json", lang))]
        return render_pdf(rec, lang, template_dir, attach)
    raise ProcureError(f"unknown format {fmt}")  # pragma: no cover
