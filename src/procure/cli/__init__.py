"""The command line: parse, call the library, print; domain errors become messages and exit codes.

Heavy libraries (pulp, weasyprint, matplotlib) are imported inside the commands that need them,
so `procure validate` stays fast.

The commands live in one module per group (start, decide, publish, evaluate, serve); importing
this package registers them all on `app`.

May import: anything in procure (it is the top); nothing imports it.
"""

from __future__ import annotations

import sys

# isort: off
# Registration order is the order of `procure --help`: the stages of the work.
from procure.cli import start, decide, publish, evaluate, serve
from procure.cli.common import _err, app

# isort: on
from procure.errors import ProcureError

__all__ = ["app", "decide", "evaluate", "main", "publish", "serve", "start"]


def main() -> None:
    """Entry point for the `procure` script."""
    import logging
    import os
    import warnings

    if not os.environ.get("PROCURE_DEBUG"):  # libraries' log lines (pypdf's "EOF marker not
        # found" on a damaged PDF, WeasyPrint's, fontTools') are not procure's messages: they
        # went to the terminal through logging's last resort, in English, beside a zh error
        logging.getLogger().addHandler(logging.NullHandler())
        warnings.simplefilter("ignore")  # numpy's RuntimeWarnings likewise: a result that
        # would warn is refused or said by procure itself
    for stream in (sys.stdout, sys.stderr):  # a terminal that cannot show 政务云 gets '?'
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    try:
        app()
    except ProcureError as exc:  # pragma: no cover - commands catch their own
        _err(f"error: {exc}")
        sys.exit(exc.exit_code)
    except Exception as exc:  # unexpected: a short message and exit 1, not a traceback
        if os.environ.get("PROCURE_DEBUG"):
            raise
        _err(
            f"error: unexpected {type(exc).__name__}: {exc} "
            "(set PROCURE_DEBUG=1 to see the traceback, and please report it)"
        )
        sys.exit(1)
