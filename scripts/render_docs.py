"""Regenerate docs/cli.md from the commands' --help and docs/brief-page-*.png from the example.

Run `make docs` after changing a command or the brief's look; tests fail when docs/cli.md
is out of date, so the reference cannot drift from the code.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def cli_reference() -> str:
    from typer.testing import CliRunner

    from procure.cli import app

    runner = CliRunner()
    parts = [
        "# procure command reference",
        "",
        "Generated from `--help` by `make docs`; do not edit by hand.",
        "",
    ]
    names = [
        None,
        *sorted(
            c.name or c.callback.__name__ for c in app.registered_commands if c.callback is not None
        ),
    ]
    for name in names:
        args = [name, "--help"] if name else ["--help"]
        out = runner.invoke(
            app, args, env={"COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"}
        ).stdout
        parts += [
            f"## procure {name}" if name else "## procure",
            "",
            "```text",
            out.rstrip(),
            "```",
            "",
        ]
    return "\n".join(parts)


def main() -> None:
    (ROOT / "docs" / "cli.md").write_text(cli_reference(), encoding="utf-8")
    examples = (
        ("prefecture-binzhou", "brief-pages.png", (0, 1, 2, 4, 8, 9)),
        ("county-joins-prefecture", "brief-pages-zh.png", (1, 2, 4, 7, 8, 9)),  # in Chinese
    )
    for example, image, picks in examples:
        with tempfile.TemporaryDirectory() as tmp:
            pdf = Path(tmp) / "brief.pdf"
            scenario = ROOT / "scenarios" / f"{example}.yaml"
            subprocess.run(
                [sys.executable, "-m", "procure", "-q", "brief", str(scenario), "-o", str(pdf)],
                check=True,
            )
            subprocess.run(
                ["pdftoppm", "-png", "-r", "45", "-f", "1", "-l", "14", str(pdf), f"{tmp}/page"],
                check=True,
            )
            pages = sorted(Path(tmp).glob("page-*.png"))
            picked = [pages[i] for i in picks if i < len(pages)]
            montage(picked, ROOT / "docs" / image)


def montage(pages: list[Path], out: Path) -> None:
    """Lay page images side by side in two rows (matplotlib, already a dependency)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.image import imread

    images = [imread(str(p)) for p in pages]
    cols = 3
    rows = (len(images) + cols - 1) // cols
    fig = Figure(figsize=(cols * 3.2, rows * 4.4))
    for i, image in enumerate(images):
        ax = fig.add_subplot(rows, cols, i + 1)
        ax.imshow(image)
        ax.axis("off")
    fig.subplots_adjust(wspace=0.05, hspace=0.05, left=0, right=1, top=1, bottom=0)
    fig.savefig(str(out), dpi=110, metadata={"Software": None})


if __name__ == "__main__":
    main()
