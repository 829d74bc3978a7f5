"""A first award by a heuristic, for the branching solver to start from (#25).

On a province (3,000 systems x 40 bidders, `benchmarks/generate.py province`) the branching
solver's root LP alone takes about 22 s CPU and its dive found no award in 900 s: with no
incumbent nothing is ever closed. This gives it one, in a fraction of a second:

1. the winners: for each bidder that may lead (the integrator keeps the MLPS-4 systems and
   the key layers, 政府采购法 art. 48, 财政部令第87号 art. 35, as `award.instance` encodes them),
   bidders are added one at a time by what they add to the award's score (each system taken
   by the best option among the winners, less the bidder's setup fee and coordination cost),
   up to the vendor count;
2. a repair: work is moved off a winner that breaks its capacity, the share cap or the
   integrator's lead, the moves that lose least score per yuan (or vCPU) first;
3. the award is checked exactly (`award.evaluate`, in whole fen); only an award that meets
   every rule is returned, with its winners among interchangeable bidders renamed to the
   first of their class (the model's `twin_` rows order them).

It is only a start: the solver completes it, improves it with its winners fixed, and its own
bound says how far from the best it is. None when it finds nothing; the solver then goes on
as before.
"""

from __future__ import annotations

import itertools

import numpy as np

from procure.award import formulation
from procure.award.formulation import Choice, interchangeable, several_win
from procure.award.instance import CROSS_LAYERS, Instance, cost_reference, evaluate

UNCOVERED = 1e3  # the score of leaving a system without a winner: worse than any option
MARGIN = 1e-6  # the repair aims this far inside a money rule; `evaluate` has the last word
# Over the budget, the award is sought again with cost priced higher (a Lagrange multiplier on
# the budget row, as a multiple of the cost weight's own price), until one fits
BUDGET_PRICES = (0.0, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0)
MOVES = 50  # repair rounds at most (each moves as much work as one winner's excess needs)
PART = 6  # bidders the relaxation has winning in part, of which every subset is tried
LEADS = 3  # bidders the relaxation has leading (in part), each tried as the lead
WHOLE = 1 - 1e-6  # a relaxation's value this close to 1 counts as 1


def first_award(inst: Instance) -> Choice | None:
    """An award meeting every rule exactly (`award.evaluate`), or None; see the module. Only
    where the rules make several vendors win (the province's case): one vendor's award is
    not sought."""
    if not inst.triples or not several_win(inst):
        return None
    best: tuple[float, Choice] | None = None
    may_lead = formulation.leaders(inst)
    for price in BUDGET_PRICES:
        table = _Table(inst, price)
        leaders: list[str | None] = [None]
        if inst.structure == "integrator":
            leaders = [v for v in table.vendors if v in may_lead]
        over = False
        for lead in leaders:
            choice = _award_led_by(inst, table, lead)
            if choice is None:
                continue
            ev = evaluate(inst, *choice)
            over = over or "budget" in ev.overshoot
            if not ev.violations and (best is None or ev.objective > best[0]):
                best = (ev.objective, choice)
        if best is not None or not over:
            break
    return None if best is None else _ordered(inst, best[1])


def from_relaxation(
    inst: Instance, wins: dict[str, float], leads: dict[str, float]
) -> Choice | None:
    """An award whose winners follow the LP relaxation's solution (`wins`: each bidder's
    y_v, `leads`: each g_v): the bidders it has winning fully, and with them each subset of
    the PART it has winning most in part; led by the bidder it has leading (each of the
    LEADS it has leading in part). A set without the capacity for every system (or below
    the vendor count) takes more winners by what they add (`_winners`, step 1 of
    `first_award`), within the count: only the sets of the bidders winning fully and the k
    it has winning most in part, for each k. Each winner set is placed (systems that the
    greedy placement leaves without room are placed by moving others, `_make_room`) and
    repaired as in `first_award` (steps 2 and 3); the best that meets every rule exactly,
    or None.

    On the province (3,000 x 40, seed 1000) the relaxation has 6 bidders at 1 and 4 in part:
    the best set gives 0.7329 (0.7345 once the solver improves it with its winners fixed),
    against `first_award`'s 0.7174 (0.7217) and the relaxation's bound of 0.7360. Under
    parallel contracts it has 5 at 1 and 6 in part, whose capacity falls short once rounded
    (a relaxation uses each bidder's whole capacity at any y_v > 0): no set was placed until
    short sets took more winners and tight ones moved systems, now 0.7310 (bound 0.7401)."""
    if not inst.triples or not several_win(inst):
        return None
    table = _Table(inst)
    known = [v for v in wins if v in table.col]
    whole = [v for v in known if wins[v] >= WHOLE]
    part = sorted((v for v in known if 1 - WHOLE < wins[v] < WHOLE), key=lambda v: -wins[v])
    leaders: list[str | None] = [None]
    if inst.structure == "integrator":
        ranked = sorted((v for v in leads if leads[v] > 1 - WHOLE), key=lambda v: -leads[v])
        leaders = [v for v in ranked[:LEADS] if v in table.col]
    best: tuple[float, Choice] | None = None
    need = float(table.vcpu.sum())
    tried: set[tuple[str | None, frozenset[int]]] = set()
    for lead in leaders:
        for k in range(min(PART, len(part)) + 1):
            for extra in itertools.combinations(part[:PART], k):
                winners = list(dict.fromkeys([*whole, *extra, *([lead] if lead else [])]))
                if len(winners) > inst.max_vendors:
                    continue
                seed = [table.col[v] for v in winners]
                short = table.capacity[seed].sum() < need
                if short and extra != tuple(part[:k]):
                    continue  # filled only from the k it has winning most (`_winners` is slow)
                cols: list[int] | None = seed
                if short or len(seed) < inst.min_vendors:  # more winners, by what they add
                    cols = _winners(inst, table, lead, inst.min_vendors, seed)
                if cols is None or not inst.min_vendors <= len(cols) <= inst.max_vendors:
                    continue
                if (lead, frozenset(cols)) in tried:
                    continue
                tried.add((lead, frozenset(cols)))
                choice = _award_with(inst, table, lead, cols)
                if choice is None:
                    continue
                ev = evaluate(inst, *choice)
                if not ev.violations and (best is None or ev.objective > best[0]):
                    best = (ev.objective, choice)
    return None if best is None else _ordered(inst, best[1])


class _Table:
    """Each bidder's best option for each system, as matrices over (system, vendor)."""

    def __init__(self, inst: Instance, budget_price: float = 0.0) -> None:
        self.systems = list(inst.systems)
        self.vendors = sorted({t[1] for t in inst.triples} | set(inst.vendors))
        row = {s: i for i, s in enumerate(self.systems)}
        col = {v: j for j, v in enumerate(self.vendors)}
        n, m = len(self.systems), len(self.vendors)
        w, ref = inst.cost_weight, cost_reference(inst)
        self.scale = w / ref  # score per yuan
        # a price on the budget row (a Lagrange multiplier), in the cost weight's units or,
        # at a cost weight of 0, in the score's per reference cost
        priced = self.scale + budget_price * (self.scale or 1 / ref)
        self.score = np.full((n, m), -np.inf)
        self.amount = np.zeros((n, m))
        self.model = np.full((n, m), "", dtype=object)
        for t in inst.triples:
            s, v, _ = t
            gain = (1 - w) * inst.size[s] * inst.value[t] / 100 - priced * (
                inst.cost[t] + inst.integrator_rate * inst.hosting[t]
            )
            i, j = row[s], col[v]
            if gain > self.score[i, j]:
                self.score[i, j], self.amount[i, j], self.model[i, j] = gain, inst.cost[t], t[2]
        self.vcpu = np.array([inst.vcpu[s] for s in self.systems], dtype=float)
        self.capacity = np.array(
            [
                float(inst.vendors[v].capacity_vcpu) if v in inst.vendors else np.inf
                for v in self.vendors
            ]
        )
        self.fixed = np.array(
            [priced * (inst.setup.get(v, 0.0) + inst.extra_vendor_cost) for v in self.vendors]
        )
        key = set(inst.integrator_systems)
        self.key = np.array([s in key for s in self.systems], dtype=bool)
        self.col = col
        # `_assign`'s placements by (lead, winners in order): asked twice for a set
        self.assigned: dict[tuple[str | None, tuple[int, ...]], np.ndarray | None] = {}


def _award_led_by(inst: Instance, table: _Table, lead: str | None) -> Choice | None:
    """Winners added greedily; when the repair cannot meet the rules with them, one more
    winner (while the vendor count allows) and again."""
    at_least = inst.min_vendors
    while True:
        winners = _winners(inst, table, lead, at_least)
        if winners is None or len(winners) < at_least:
            return None
        choice = _award_with(inst, table, lead, winners)
        if choice is not None:
            return choice
        if len(winners) >= inst.max_vendors:
            return None
        at_least = len(winners) + 1


def _award_with(
    inst: Instance, table: _Table, lead: str | None, winners: list[int]
) -> Choice | None:
    assign = _assign(table, winners, lead)
    layers = _layers(inst, table, winners, lead)
    if assign is None or layers is None:
        return None
    extra = np.zeros(len(table.vendors))  # the layers' and setup fees, per winner
    for layer, v in layers.items():
        extra[table.col[v]] += inst.layer_cost[(layer, v)]
    for j in winners:
        extra[j] += inst.setup.get(table.vendors[j], 0.0)
    repaired = _repair(inst, table, winners, lead, assign, extra)
    if repaired is None:
        return None
    assignment = {
        s: (table.vendors[j], str(table.model[i, j]))
        for i, (s, j) in enumerate(zip(table.systems, repaired, strict=True))
    }
    return assignment, layers, lead


def _winners(
    inst: Instance,
    table: _Table,
    lead: str | None,
    at_least: int,
    seed: list[int] | None = None,
) -> list[int] | None:
    """Bidders added greedily by the score they add within their capacity (`first_award`,
    step 1), to the lead and `seed` (winners already chosen), at least `at_least` of them
    and until their capacity covers every system, within the vendor count."""
    score = table.score.copy()
    chosen: list[int] = []
    if lead is not None:  # the key systems are the lead's
        score[table.key] = -np.inf
        score[:, table.col[lead]] = table.score[:, table.col[lead]]
        chosen = [table.col[lead]]
    chosen = list(dict.fromkeys([*chosen, *(seed or [])]))
    current = _placed(table, score, chosen)
    while len(chosen) < inst.max_vendors:
        gains = np.array([_gain(table, score[:, j], current, j) for j in range(len(table.vendors))])
        gains[chosen] = -np.inf
        j = int(np.argmax(gains))
        if not np.isfinite(gains[j]):
            break
        needed = len(chosen) < at_least or np.any(current <= -UNCOVERED)
        if gains[j] <= 0 and not needed:
            break
        chosen.append(j)
        current = _placed(table, score, chosen)
    return None if _short(table, current, chosen, lead) else chosen


def _short(table: _Table, current: np.ndarray, chosen: list[int], lead: str | None) -> bool:
    """Whether `chosen` cannot hold every system: some left out by the greedy placement
    (`current`) and none placed by moving others out of the way either (`_assign`)."""
    return bool(np.any(current <= -UNCOVERED)) and _assign(table, chosen, lead) is None


def _gain(table: _Table, column: np.ndarray, current: np.ndarray, j: int) -> float:
    """What bidder j adds: the systems it improves most per vCPU, within its capacity, less
    its setup fee and coordination cost."""
    better = np.maximum(column - current, 0.0)
    if not np.any(better > 0):
        return -float(table.fixed[j])
    order = np.argsort(-better / table.vcpu, kind="stable")
    fits = np.cumsum(table.vcpu[order]) <= table.capacity[j]
    return float(better[order][fits].sum() - table.fixed[j])


def _placed(table: _Table, score: np.ndarray, chosen: list[int]) -> np.ndarray:
    return _place(table, score, chosen)[0]


def _place(table: _Table, score: np.ndarray, chosen: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Each system placed with the best of `chosen` that has room (systems in order of what
    they lose if not placed with their best): (its score, -UNCOVERED where none has room;
    the winner's column, -1 there)."""
    out = np.full(score.shape[0], -UNCOVERED)
    where = np.full(score.shape[0], -1, dtype=np.int64)
    if not chosen:
        return out, where
    sub = score[:, chosen]
    ranked = np.sort(sub, axis=1)
    top = ranked[:, -1]
    second = ranked[:, -2] if len(chosen) > 1 else np.full(len(top), -UNCOVERED)
    with np.errstate(invalid="ignore"):  # -inf less -inf: no second option, no regret
        regret = np.where(np.isfinite(second), top - second, np.inf)
    room = table.capacity[chosen].copy()
    for i in np.argsort(-regret, kind="stable"):
        for k in np.argsort(-sub[i], kind="stable"):
            if not np.isfinite(sub[i, k]):
                break
            if room[k] >= table.vcpu[i]:
                room[k] -= table.vcpu[i]
                out[i] = sub[i, k]
                where[i] = chosen[k]
                break
    return out, where


def _assign(table: _Table, winners: list[int], lead: str | None) -> np.ndarray | None:
    """Each system with the best winner that has room, the key systems with the lead; a
    system left without room is placed by moving others out of its way (`_make_room`)."""
    key = (lead, tuple(winners))
    if key not in table.assigned:  # `_short` asks first, then `_award_with`
        table.assigned[key] = _placement(table, winners, lead)
    found = table.assigned[key]
    return None if found is None else found.copy()


def _placement(table: _Table, winners: list[int], lead: str | None) -> np.ndarray | None:
    score = table.score.copy()
    if lead is not None:
        score[table.key] = -np.inf
        score[:, table.col[lead]] = table.score[:, table.col[lead]]
    _, where = _place(table, score, winners)
    left = np.flatnonzero(where < 0)
    if len(left) and winners:  # the largest first: the small ones fit in what is left
        room = table.capacity - np.bincount(
            where[where >= 0], weights=table.vcpu[where >= 0], minlength=len(table.vendors)
        )
        if room[winners].sum() < table.vcpu[left].sum():  # no moving makes room enough
            return None
        for i in left[np.argsort(-table.vcpu[left], kind="stable")]:
            if not _make_room(table, score, winners, where, room, int(i)):
                return None
    return None if np.any(where < 0) else where


def _make_room(
    table: _Table,
    score: np.ndarray,
    winners: list[int],
    where: np.ndarray,
    room: np.ndarray,
    i: int,
) -> bool:
    """Place system i (unplaced in `where`) with a winner that can take it, after moving
    that winner's systems to other winners with room, those that lose least score per vCPU
    first (a placement greedy in score fills a tight winner with small systems a large one
    needed: on the province's parallel contracts every winner set the relaxation gave had
    the capacity and none was placed). Tries the winners in the order of i's score there;
    `where` and `room` are updated. Whether i was placed."""
    ws = np.array(winners, dtype=np.int64)
    for k in ws[np.argsort(-score[i, ws], kind="stable")]:
        if not np.isfinite(score[i, k]):
            break
        need = table.vcpu[i] - room[k]
        moves: list[tuple[int, int]] = []
        if need > 0:
            mine = np.flatnonzero(where == k)
            others = ws[ws != k]
            if not len(mine) or not len(others):
                continue
            sub = score[np.ix_(mine, others)]
            free = room[others].copy()
            loss = score[mine, k][:, None] - sub
            order = np.argsort(np.min(loss, axis=1) / table.vcpu[mine], kind="stable")
            for n in order:
                if need <= 0:
                    break
                fits = np.isfinite(sub[n]) & (free >= table.vcpu[mine[n]])
                if not fits.any():
                    continue
                q = int(np.flatnonzero(fits)[np.argmin(loss[n][fits])])
                free[q] -= table.vcpu[mine[n]]
                need -= table.vcpu[mine[n]]
                moves.append((int(mine[n]), int(others[q])))
            if need > 0:
                continue
        for p, q in moves:
            where[p] = q
            room[q] -= table.vcpu[p]
            room[k] += table.vcpu[p]
        where[i] = k
        room[k] -= table.vcpu[i]
        return True
    return False


def _layers(
    inst: Instance, table: _Table, winners: list[int], lead: str | None
) -> dict[str, str] | None:
    """Each cross-cutting layer to the lead if the rules say so, else to its cheapest
    provider among the winners."""
    won = {table.vendors[j] for j in winners}
    out: dict[str, str] = {}
    for layer in CROSS_LAYERS:
        options = [v for v in inst.layer_options.get(layer, []) if v in won]
        if lead is not None and layer in inst.integrator_layers:
            options = [lead] if lead in options else []
        if not options:
            return None
        out[layer] = min(options, key=lambda v: (inst.layer_cost[(layer, v)], v))
    return out


def _repair(
    inst: Instance,
    table: _Table,
    winners: list[int],
    lead: str | None,
    assign: np.ndarray,
    extra: np.ndarray,
) -> np.ndarray | None:
    """Move work off winners over their capacity, the share cap or the lead's amount."""
    lead_j = None if lead is None else table.col[lead]
    rows = np.arange(len(assign))
    for _ in range(MOVES):
        amount = (
            np.bincount(assign, weights=table.amount[rows, assign], minlength=len(table.vendors))
            + extra
        )
        load = np.bincount(assign, weights=table.vcpu, minlength=len(table.vendors))
        total = amount.sum()
        cap = inst.max_share * total * (1 - MARGIN)
        lead_amount = np.inf if lead_j is None or not inst.lead_share else amount[lead_j]
        excess = {}  # winner -> (excess, measured in vCPU?)
        for j in winners:
            if load[j] > table.capacity[j]:
                excess[j] = (load[j] - table.capacity[j], True)
            elif amount[j] > cap:
                excess[j] = (amount[j] - cap, False)
            elif j != lead_j and amount[j] > lead_amount * (1 - MARGIN):
                excess[j] = ((amount[j] - lead_amount) / 2 + MARGIN * total, False)
        if not excess:
            return assign
        j, (over, by_vcpu) = max(excess.items(), key=lambda kv: kv[1][0])
        moved = _move(inst, table, winners, lead_j, assign, j, over, by_vcpu, amount, load, cap)
        if not moved:
            return None
    return None


def _move(
    inst: Instance,
    table: _Table,
    winners: list[int],
    lead_j: int | None,
    assign: np.ndarray,
    j: int,
    over: float,
    by_vcpu: bool,
    amount: np.ndarray,
    load: np.ndarray,
    cap: float,
) -> bool:
    """Move systems off winner j, cheapest loss per unit first, until `over` is covered;
    a target takes a system only while it stays within its own capacity, the cap and below
    the lead. Whether anything moved."""
    mine = np.flatnonzero((assign == j) & ~(table.key & (j == lead_j)))
    if not len(mine):
        return False
    targets = np.array([k for k in winners if k != j], dtype=np.int64)
    if not len(targets):
        return False
    sub = table.score[np.ix_(mine, targets)]
    if lead_j is not None and lead_j != j:
        locked = np.flatnonzero(targets != lead_j)
        sub[np.ix_(table.key[mine], locked)] = -np.inf
    to = np.argmax(sub, axis=1)
    loss = table.score[mine, j] - sub[np.arange(len(mine)), to]
    size = table.vcpu[mine] if by_vcpu else table.amount[mine, j]
    order = np.argsort(loss / np.maximum(size, 1e-9), kind="stable")
    lead_amount = np.inf if lead_j is None or not inst.lead_share else amount[lead_j]
    done = 0.0
    moved = False
    for n in order:
        if done >= over:
            break
        if not np.isfinite(loss[n]):
            continue
        i, k = int(mine[n]), int(targets[int(to[n])])
        gain = table.amount[i, k]
        if load[k] + table.vcpu[i] > table.capacity[k] or amount[k] + gain > cap:
            continue
        if k != lead_j and amount[k] + gain > lead_amount * (1 - MARGIN):
            continue
        assign[i] = k
        amount[k] += gain
        amount[j] -= table.amount[i, j]
        load[k] += table.vcpu[i]
        load[j] -= table.vcpu[i]
        if k == lead_j:
            lead_amount = amount[k]
        elif j == lead_j:
            lead_amount = amount[j]
        done += table.vcpu[i] if by_vcpu else table.amount[i, j]
        moved = True
    return moved


def _ordered(inst: Instance, choice: Choice) -> Choice:
    """The same award with the winners of each class of interchangeable bidders renamed to
    its first members, as the model's `twin_` rows want: the award is the same to the rules."""
    assignment, layers, lead = choice
    won = {v for v, _ in assignment.values()} | set(layers.values())
    rename: dict[str, str] = {}
    for group in interchangeable(inst):
        ours = [v for v in group if v in won]
        rename.update(zip(ours, group[: len(ours)], strict=True))
    return (
        {s: (rename.get(v, v), m) for s, (v, m) in assignment.items()},
        {layer: rename.get(v, v) for layer, v in layers.items()},
        None if lead is None else rename.get(lead, lead),
    )
