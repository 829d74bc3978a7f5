"""Render a Recommendation as JSON, Markdown, HTML or PDF. Formatting only: no judgement here.

PDF: WeasyPrint with a URL fetcher that refuses everything except the package's own template
files; written to a temporary file and moved into place, so a failure leaves nothing behind.
"""

from __future__ import annotations

import base64
import shutil
import subprocess
import threading
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from procure.errors import InputError, Problem, ProcureError
from procure.money import fmt_money
from procure.recommend import Recommendation
from procure.yamlio import dump_yaml, read_yaml


def templates_dir() -> Path:
    """Templates ship inside the wheel as procure/templates; in a checkout they are top-level."""
    packaged = Path(__file__).parent / "templates"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[2] / "templates"


@cache
def strings() -> dict[str, dict[str, str]]:
    """The message catalog: every heading and label in en and zh."""
    data = read_yaml(templates_dir() / "strings.yaml").data
    return {key: dict(value) for key, value in data.items()}


def catalog(lang: str) -> dict[str, str]:
    return {key: value[lang] for key, value in strings().items()}


def _env(template_dir: Path | None, fmt: str) -> Environment:
    dirs = [str(template_dir)] if template_dir else []
    dirs.append(str(templates_dir()))
    env = Environment(
        loader=FileSystemLoader(dirs),
        undefined=StrictUndefined,
        autoescape=select_autoescape(enabled_extensions=("html", "j2"), default_for_string=True)
        if fmt == "html"
        else False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["money"] = fmt_money
    env.filters["pct"] = lambda x, digits=1: f"{x * 100:.{digits}f}%"
    return env


def context(
    rec: Recommendation, lang: str, with_charts: bool, as_images: bool = False
) -> dict[str, Any]:
    t = catalog(lang)
    rec = rec.model_copy(update={"language": lang})
    charts = {}
    if with_charts:
        if _preloading is not None:  # matplotlib is not thread-safe: let the warm-up finish
            _preloading.join()
        from procure import charts as ch

        charts = {
            "readiness": ch.readiness_chart(rec, t),
            "cashflow": ch.cashflow_chart(rec, t),
            "frontier": ch.frontier_chart(rec, t),
            "vendor_cost": ch.vendor_cost_chart(rec, t),
            "robustness": ch.robustness_chart(rec, t),
        }
        if as_images:
            charts = {name: _as_image(svg) for name, svg in charts.items()}
    return {
        "r": rec,
        "t": t,
        "lang": lang,
        "charts": charts,
        "scenario_yaml": dump_yaml(rec.scenario),
        "source_index": {s: i + 1 for i, s in enumerate(rec.sources)},
    }


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
    return (
        _env(template_dir, "html")
        .get_template("brief.html.j2")
        .render(**context(rec, lang, with_charts=True, as_images=for_pdf))
    )


def render_markdown(rec: Recommendation, lang: str, template_dir: Path | None = None) -> str:
    return (
        _env(template_dir, "md")
        .get_template("brief.md.j2")
        .render(**context(rec, lang, with_charts=False))
    )


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


def render_pdf(rec: Recommendation, lang: str, template_dir: Path | None = None) -> bytes:
    if lang == "zh":
        require_cjk_font()
    html = render_html(rec, lang, template_dir, for_pdf=True)
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    allowed = [templates_dir().resolve()] + ([template_dir.resolve()] if template_dir else [])

    class LocalOnly(URLFetcher):  # type: ignore[misc]
        """Fetch only files inside the template directories and the charts' own data URLs;
        never the network."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith(CHART_URL):  # our own charts: decoded here, nothing fetched
                body = base64.b64decode(url.removeprefix(CHART_URL))
                return URLFetcherResponse(url, body, {"Content-Type": "image/svg+xml"})
            if url.startswith("file://"):
                path = Path(url.removeprefix("file://").split("?")[0]).resolve()
                if any(path.is_relative_to(a) for a in allowed):
                    return super().fetch(url, headers)
            raise ValueError(f"refused to fetch {url}: the brief uses only bundled files")

    document = HTML(
        string=html,
        base_url=str(allowed[-1]) + "/",
        url_fetcher=LocalOnly(allowed_protocols=["file"]),
    )
    return bytes(document.write_pdf(pdf_identifier=b"procure-brief", uncompressed_pdf=False))


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

        from procure import charts

        charts.warm_up()
    except Exception:  # rendering imports them again and reports any failure
        return


def render(rec: Recommendation, fmt: str, lang: str, template_dir: Path | None = None) -> bytes:
    if fmt == "json":
        return (rec.model_dump_json(indent=2) + "\n").encode("utf-8")
    if fmt == "md":
        return render_markdown(rec, lang, template_dir).encode("utf-8")
    if fmt == "html":
        return render_html(rec, lang, template_dir).encode("utf-8")
    if fmt == "pdf":
        return render_pdf(rec, lang, template_dir)
    raise ProcureError(f"unknown format {fmt}")  # pragma: no cover
