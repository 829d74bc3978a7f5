"""Issue #17's chart-renderer measurement: matplotlib (what the brief uses) against pygal, a
lighter SVG charting library. Each run is a fresh process: import, then six horizontal bar
charts with Chinese labels as SVG. pygal is not a dependency: install it in a scratch venv
(`python -m venv /tmp/pg && /tmp/pg/bin/pip install pygal matplotlib`) and run this file with
that venv's python. Prints figures; asserts nothing.

Measured 2026-11-29 (2 cores): matplotlib import 0.39-0.45 s, six charts 0.25-0.30 s;
pygal import 0.05-0.08 s, six charts 0.02 s. Both keep CJK text as text. Drawn by WeasyPrint,
pygal's default layout put the legend over the axis labels and it has no hatch patterns, so
series differ only by shade in greyscale (the brief hatches them). The brief stays with
matplotlib: it imports it in a thread while the MILPs run, so the wall-clock saving would be
about the 0.25 s of drawing, not worth the looks.
"""

from __future__ import annotations

import io
import subprocess
import sys
import time

LABELS = ["技术因素", "组织因素", "环境因素", "总体就绪度"]
VALUES = [72, 58, 64, 65]


def one(which: str) -> None:
    start = time.perf_counter()
    if which == "matplotlib":
        import matplotlib

        matplotlib.rcParams.update(
            {"svg.fonttype": "none", "font.sans-serif": ["WenQuanYi Micro Hei", "DejaVu Sans"]}
        )
        from matplotlib.figure import Figure

        imported = time.perf_counter()
        for _ in range(6):
            fig = Figure(figsize=(5.5, 1.8))
            ax = fig.add_subplot()
            ax.barh(LABELS, VALUES, color="#777777", edgecolor="#222222", hatch="//")
            buf = io.StringIO()
            fig.savefig(buf, format="svg", bbox_inches="tight")
            svg = buf.getvalue()
    else:
        import pygal  # type: ignore[import-not-found]
        from pygal.style import Style  # type: ignore[import-not-found]

        imported = time.perf_counter()
        style = Style(colors=("#777777",), font_family="WenQuanYi Micro Hei")
        for _ in range(6):
            chart = pygal.HorizontalBar(style=style, width=550, height=180, show_legend=False)
            chart.x_labels = LABELS
            chart.add("", VALUES)
            svg = chart.render().decode()
    done = time.perf_counter()
    print(
        f"{which}: import {imported - start:.3f} s, six charts {done - imported:.3f} s, "
        f"CJK kept as text: {LABELS[0] in svg}"
    )


if __name__ == "__main__":
    if len(sys.argv) > 1:
        one(sys.argv[1])
    else:
        for which in ("matplotlib", "pygal", "matplotlib", "pygal"):
            subprocess.run([sys.executable, __file__, which], check=False)
