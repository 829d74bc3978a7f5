"""A time budget for the analysis around the award (`--time-budget`): one deadline that the
extras, the robustness analysis and the bidder explanations all read. A solve that cannot be
given at least `MIN_SOLVE` seconds is not started; what the budget left out is recorded, so
the brief says it rather than guessing."""

from __future__ import annotations

import math
import threading
import time

from procure.text import Text

TIME_BUDGET = 60.0  # seconds: keeps a 1,000-system brief near a minute of analysis
MIN_SOLVE = 0.5


class Budget:
    """Seconds for the analysis from now; `None`: no limit (library calls, tests)."""

    def __init__(self, seconds: float | None = None) -> None:
        self.seconds = seconds
        self.deadline = math.inf if seconds is None else time.monotonic() + seconds
        self._lock = threading.Lock()
        self.cuts: list[Text] = []  # what the budget left out, in the order it happened
        self.stopped: list[Text] = []  # what a solve's own time limit cut short

    def child(self) -> Budget:
        """The same deadline, with its own record of what was left out (one per stage)."""
        other = Budget()
        other.seconds, other.deadline = self.seconds, self.deadline
        return other

    def left(self) -> float:
        return self.deadline - time.monotonic()

    def limit(self, cap: float) -> float | None:
        """Seconds for one solve: `cap`, or what is left if less; None when too little is left
        to start one."""
        left = self.left()
        return None if left < MIN_SOLVE else min(cap, left)

    def cut(self, what: Text) -> None:
        """Record something the budget left out (once)."""
        with self._lock:
            if what not in self.cuts:
                self.cuts.append(what)

    def stop(self, what: Text) -> None:
        """Record something a solve's own time limit cut short (once): the clock, not the
        inputs, decided it, so the brief says so (and `procure verify` knows it)."""
        with self._lock:
            if what not in self.stopped:
                self.stopped.append(what)

    def said(self) -> Text | None:
        """What the budget left out, and what a solve's time limit cut short, for the brief;
        None if nothing."""
        cut = self._said_cuts()
        if not self.stopped:
            return cut
        stopped = Text(
            en="Cut short for lack of time (a re-solve reached its time limit): "
            + "; ".join(c.en for c in self.stopped)
            + ".",
            zh="因时间所限未能完成（重新求解达到时间上限）："
            + "；".join(c.zh for c in self.stopped)
            + "。",
        )
        if cut is None:
            return stopped
        return Text(en=f"{cut.en} {stopped.en}", zh=f"{cut.zh}{stopped.zh}")

    def _said_cuts(self) -> Text | None:
        if not self.cuts:
            return None
        seconds = f"{self.seconds:g}" if self.seconds is not None else "-"  # never cut: no limit
        return Text(
            en=f"The analysis's time budget ({seconds} s, --time-budget) ran out: "
            + "; ".join(c.en for c in self.cuts)
            + ". Give more time with --time-budget for the full analysis.",
            zh=f"分析的时间预算（{seconds}秒，--time-budget）已用完："
            + "；".join(c.zh for c in self.cuts)
            + "。如需完整分析，请用 --time-budget 给出更多时间。",
        )
