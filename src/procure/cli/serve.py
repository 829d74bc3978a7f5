"""`procure serve`: the what-if page (issue #28), a thin command over `procure.serve`."""

from __future__ import annotations

from typing import Annotated

import typer

from procure.cli.common import (
    DataDirOpt,
    Lang,
    LangOpt,
    ScenarioArg,
    _err,
    _fail,
    _inputs,
    _language,
    app,
)
from procure.errors import InputError, Problem, ProcureError

LOOPBACK = ("127.0.0.1", "localhost", "::1")


@app.command()
def serve(
    file: ScenarioArg,
    host: Annotated[
        str,
        typer.Option(
            "--host",
            help="Address to listen on. The default serves this machine only; any other "
            "address opens the page (and its solver) to the network, with a warning.",
        ),
    ] = "127.0.0.1",
    port: Annotated[
        int,
        typer.Option("--port", min=0, max=65535, help="Port; 0 (default) picks a free one."),
    ] = 0,
    lang: LangOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """A local what-if page: change the weights, budget, rules, structure, partnership mode
    or bidders and see the award, plan and comparison solved again (Ctrl-C stops it).

    The page's address is printed once it listens. "Save as scenario" downloads the edited
    YAML (the scenario file is never written); "Brief" downloads the brief of the page's state."""
    from datetime import date

    from procure.serve.app import serve as run
    from procure.serve.worker import Setup

    if str(file) == "-":
        _fail(
            InputError(
                [
                    Problem(
                        "-",
                        "serve needs a scenario file, not standard input",
                        zh="serve 需要情景文件，不能从标准输入读取",
                    )
                ]
            )
        )
    inputs = _inputs(file, data_dir, lang)
    language = lang.value if lang else (inputs.scenario.stated_language or "zh")
    _language(Lang(language))
    if host not in LOOPBACK and not host.startswith("127."):
        _err(
            f"warning: --host {host} opens the what-if page to other machines on the network; "
            "anyone who reaches it can run solves and read the scenario"
            if language == "en"
            else f"警告：--host {host} 使网络上的其他机器也能访问情景推演页面；能访问者均可发起求解并读取情景"
        )

    def announce(url: str) -> None:
        typer.echo(f"procure serve: {url}", nl=True)
        import sys

        sys.stdout.flush()

    try:
        run(inputs, Setup(file.resolve(), data_dir, language, date.today()), host, port, announce)
    except ProcureError as exc:
        _fail(exc)
