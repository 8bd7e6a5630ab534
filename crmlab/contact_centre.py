"""The contact centre: Erlang B, C and A, staffing, and a small queue simulation.

A contact centre receives ``calls`` per interval of ``interval_s`` seconds; each call
occupies an agent for ``aht_s`` seconds on average (average handle time). The offered
load in erlangs is ``A = calls × aht_s / interval_s`` — the number of agents that would
be busy all the time if no call ever waited. With ``N`` agents (``N > A``), Erlang C
(the M/M/N queue: Poisson arrivals, exponential handle times, callers who never hang
up) gives the probability of waiting, the service level (share of calls answered
within ``target_s`` seconds), the average speed of answer (ASA) and the occupancy::

    B(0) = 1,  B(k) = A·B(k−1) / (k + A·B(k−1))      Erlang B (recursion on k)
    C = N·B(N) / (N − A·(1 − B(N)))                  P(wait), Erlang C
    SL = 1 − C·exp(−(N − A)·target_s / aht_s)
    ASA = C·aht_s / (N − A),   occupancy = A / N

Erlang A adds callers' patience (exponential, mean ``patience_s``): those who wait
longer hang up. It is always stable, even with ``N ≤ A``.

Return types (one rule for every function here): when every input is a scalar, a
``dict`` of Python numbers (``res["service_level"]``); when any input is an array or a
Series (one value per interval, say), a DataFrame with one row per interval (the index
of the Series if there is one).

>>> res = erlang_c(calls=100, interval_s=1800, aht_s=180, agents=14, target_s=20)
>>> round(res["p_wait"], 4), round(res["service_level"], 4), round(res["asa_s"], 2)
(0.1741, 0.8884, 7.84)
>>> agents_needed(calls=100, interval_s=1800, aht_s=180, target_s=20, service_level=0.8)
14
"""

from __future__ import annotations

import heapq
import math

import numpy as np
import pandas as pd

from .validation import InvalidValueError, NegativeValueError, require_number

__all__ = [
    "traffic",
    "erlang_b",
    "erlang_c",
    "agents_needed",
    "erlang_a",
    "with_shrinkage",
    "simulate_queue",
    "simulate_priority_queue",
    "queue_summary",
    "staffing_figure",
    "staffing_widget",
]


# ------------------------------------------------------------------ input guards
def _index(*values) -> pd.Index | None:
    return next((v.index for v in values if isinstance(v, pd.Series)), None)


def _is_scalar(*values) -> bool:
    return all(np.ndim(v) == 0 for v in values)


def _non_negative(value, label: str, name: str, strict: bool = False) -> np.ndarray:
    arr = require_number(value, label, name)
    bad = (arr <= 0) if strict else (arr < 0)
    if bad.any():
        v = float(arr[bad].flat[0])
        if strict:
            raise InvalidValueError(f"{label} (`{name}`) doit être strictement positif (reçu : {v:g}).")
        raise NegativeValueError(f"{label} (`{name}`) ne peut pas être négatif (reçu : {v:g}).")
    if np.isinf(arr).any():
        raise InvalidValueError(f"{label} (`{name}`) doit être un nombre fini.")
    return arr


def _agents(value) -> np.ndarray:
    arr = require_number(value, "le nombre d'agents", "agents")
    if (arr < 1).any() or np.isinf(arr).any():
        v = float(arr[(arr < 1) | np.isinf(arr)].flat[0])
        raise InvalidValueError(f"le nombre d'agents (`agents`) doit être un entier ≥ 1 (reçu : {v:g}).")
    if (arr != np.round(arr)).any():
        v = float(arr[arr != np.round(arr)].flat[0])
        raise InvalidValueError(
            f"le nombre d'agents (`agents`) doit être un nombre entier (reçu : {v:g}) : "
            "on ne planifie pas une fraction d'agent ; arrondissez à l'entier supérieur."
        )
    return arr.astype(int)


def _share(value, label: str, name: str, closed_right: bool = False) -> np.ndarray:
    arr = require_number(value, label, name)
    bad = (arr < 0) | ((arr > 1) if closed_right else (arr >= 1))
    if bad.any():
        upper = "1" if closed_right else "1 (exclu)"
        raise InvalidValueError(
            f"{label} (`{name}`) doit être une part entre 0 et {upper}, par exemple 0,8 pour 80 % "
            f"(reçu : {float(arr[bad].flat[0]):g})."
        )
    return arr


def _load(calls, interval_s, aht_s) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = _non_negative(calls, "le nombre d'appels", "calls")
    t = _non_negative(interval_s, "la durée de l'intervalle en secondes", "interval_s", strict=True)
    h = _non_negative(aht_s, "la durée moyenne de traitement en secondes", "aht_s", strict=True)
    return n * h / t, t, h


def _out(columns: dict, scalar: bool, index: pd.Index | None):
    if scalar:
        return {k: (int(v) if k == "agents" else float(v)) for k, v in columns.items()}
    arrays = np.broadcast_arrays(*[np.asarray(v) for v in columns.values()])
    frame = pd.DataFrame({k: a.ravel() for k, a in zip(columns, arrays)})
    if index is not None and len(index) == len(frame):
        frame.index = index
    return frame


# ------------------------------------------------------------------ Erlang B and C
def traffic(calls, interval_s, aht_s):
    """Offered load in erlangs: ``calls × aht_s / interval_s`` (vectorised).

    >>> float(traffic(100, 1800, 180))
    10.0
    """
    a, _, _ = _load(calls, interval_s, aht_s)
    if isinstance(calls, pd.Series):
        return pd.Series(a, index=calls.index, name="traffic_erlangs")
    return a[()] if a.ndim == 0 else a


def erlang_b(load, agents):
    """Blocking probability of Erlang B (M/M/N/N), by the recursion on the number of agents.

    ``load`` in erlangs and ``agents`` broadcast together; the loop runs over agent
    counts (1 … max), each step vectorised over every interval.

    >>> round(float(erlang_b(10, 14)), 4)
    0.0568
    """
    a = _non_negative(load, "la charge en erlangs", "load")
    n = _agents(agents)
    a, n = np.broadcast_arrays(a, n)
    b = np.ones(a.shape)
    out = np.ones(a.shape)
    for k in range(1, int(n.max(initial=0)) + 1):
        b = a * b / (k + a * b)
        out = np.where(n == k, b, out)
    return out[()] if out.ndim == 0 else out


def _erlang_c_core(a, n, h, target):
    b = erlang_b(a, n)
    stable = n > a
    with np.errstate(divide="ignore", invalid="ignore"):
        c = np.where(stable, n * b / (n - a * (1 - b)), 1.0)
        sl = np.where(stable, 1 - c * np.exp(-(n - a) * target / h), 0.0)
        asa = np.where(stable, c * h / (n - a), np.inf)
        occ = np.where(stable, a / n, 1.0)
    return c, sl, asa, occ, stable


def erlang_c(*, calls, interval_s, aht_s, agents, target_s=20.0, unstable: str = "raise"):
    """Erlang C: probability of waiting, service level, ASA and occupancy.

    ``calls`` per interval of ``interval_s`` seconds, ``aht_s`` the average handle time,
    ``agents`` on the phones, ``target_s`` the service-level target (answered within).
    Scalars give a ``dict``; arrays or Series (one value per interval) a DataFrame with
    columns ``traffic_erlangs``, ``agents``, ``p_wait``, ``service_level``, ``asa_s``,
    ``occupancy``.

    Erlang C assumes that nobody hangs up: with ``agents ≤`` the load the queue grows
    without limit. ``unstable="raise"`` (default) raises a French error explaining it;
    ``unstable="saturate"`` returns P(wait) 1, service level 0, ASA infinite and
    occupancy 1 for those intervals.

    >>> erlang_c(calls=100, interval_s=1800, aht_s=180, agents=14)["occupancy"]
    0.7142857142857143
    """
    if unstable not in ("raise", "saturate"):
        raise InvalidValueError(f"`unstable` vaut « raise » ou « saturate » (reçu : {unstable!r}).")
    scalar = _is_scalar(calls, interval_s, aht_s, agents, target_s)
    index = _index(calls, interval_s, aht_s, agents, target_s)
    a, _, h = _load(calls, interval_s, aht_s)
    n = _agents(agents)
    target = _non_negative(target_s, "le délai cible en secondes", "target_s")
    a, n, h, target = np.broadcast_arrays(a, n, h, target)
    c, sl, asa, occ, stable = _erlang_c_core(a, n, h, target)
    if unstable == "raise" and not stable.all():
        i = int(np.flatnonzero(~stable.ravel())[0])
        where = "" if scalar else f" (intervalle n° {i})"
        raise InvalidValueError(
            f"file instable{where} : {n.ravel()[i]} agent(s) pour une charge de "
            f"{a.ravel()[i]:.2f} erlangs. Avec autant d'agents ou moins que la charge, les appels "
            "arrivent plus vite que les agents ne les traitent : dans le modèle d'Erlang C, où "
            "personne ne raccroche, la file d'attente grandit sans fin (attente infinie). Il faut "
            "strictement plus d'agents que la charge (voir agents_needed), ou un modèle avec "
            "abandons (erlang_a) ; unstable=\"saturate\" marque ces intervalles sans erreur."
        )
    return _out({"traffic_erlangs": a, "agents": n, "p_wait": c, "service_level": sl, "asa_s": asa,
                 "occupancy": occ}, scalar, index)


def agents_needed(*, calls, interval_s, aht_s, target_s=20.0, service_level=0.8, max_asa_s=None,
                  max_occupancy=None):
    """The smallest number of agents that reaches the service level (Erlang C).

    Smallest ``N > A`` with ``service_level(N) ≥ service_level`` — and, if given,
    ``ASA ≤ max_asa_s`` and ``occupancy ≤ max_occupancy``. An interval with no call needs
    no agent on the phone (0). Scalars give an ``int``; arrays an integer array; a Series
    a Series.

    >>> int(agents_needed(calls=100, interval_s=1800, aht_s=180, service_level=0.9))
    15
    """
    index = _index(calls, interval_s, aht_s, target_s, service_level)
    a, _, h = _load(calls, interval_s, aht_s)
    target = _non_negative(target_s, "le délai cible en secondes", "target_s")
    goal = _share(service_level, "le niveau de service visé", "service_level")
    asa_max = np.inf if max_asa_s is None else _non_negative(max_asa_s, "l'ASA maximale", "max_asa_s", strict=True)
    occ_max = 1.0 if max_occupancy is None else _share(max_occupancy, "l'occupation maximale", "max_occupancy",
                                                       closed_right=True)
    if max_occupancy is not None and (np.asarray(occ_max) <= 0).any():
        raise InvalidValueError("l'occupation maximale (`max_occupancy`) doit être strictement positive.")
    a, h, target, goal, asa_max, occ_max = np.broadcast_arrays(a, h, target, goal, asa_max, occ_max)
    n = np.floor(a).astype(int) + 1          # the smallest stable count
    n = np.maximum(n, np.ceil(a / occ_max - 1e-12).astype(int))
    n = np.maximum(n, 1)
    todo = a > 0
    for _ in range(10_000):                   # loop over agent counts, vectorised over intervals
        _, sl, asa, occ, _ = _erlang_c_core(a, n, h, target)
        short = todo & ((sl < goal - 1e-12) | (asa > asa_max) | (occ > occ_max + 1e-12))
        if not short.any():
            break
        n = n + short
    n = np.where(a > 0, n, 0)
    if index is not None:
        return pd.Series(n.ravel(), index=index if len(index) == n.size else None, name="agents_needed")
    return int(n) if n.ndim == 0 else n


def with_shrinkage(agents, shrinkage=0.3):
    """Agents to schedule so that ``agents`` are on the phones despite shrinkage.

    Shrinkage is the share of paid time off the phones (breaks, training, meetings,
    absence): ``ceil(agents / (1 − shrinkage))``.

    >>> int(with_shrinkage(14, 0.3))
    20
    """
    n = _non_negative(agents, "le nombre d'agents", "agents")
    s = _share(shrinkage, "le taux d'inefficience (shrinkage)", "shrinkage")
    out = np.ceil(n / (1 - s) - 1e-9).astype(int)
    if isinstance(agents, pd.Series):
        return pd.Series(out, index=agents.index, name=agents.name)
    return int(out) if out.ndim == 0 else out


# ------------------------------------------------------------------ Erlang A
def erlang_a(*, calls, interval_s, aht_s, agents, patience_s, target_s=20.0):
    """Erlang A (M/M/N+M): Erlang C plus callers who hang up after an exponential patience.

    Callers' patience has mean ``patience_s`` seconds (rate θ = 1 / patience_s); the
    birth–death chain of the number of callers in the system is solved numerically
    (truncated where its tail is negligible). An arriving caller who finds ``q`` callers
    waiting ahead is answered with probability ``Nμ / (Nμ + (q + 1)θ)``, within ``t``
    seconds with that probability times a regularised incomplete beta
    ``I_{1−exp(−θt)}(q + 1, Nμ/θ + 1)`` (the waiting time to reach an agent is a sum of
    exponentials of rates ``Nμ + kθ``, whose distribution is a beta in ``1 − exp(−θt)``).

    Returns the columns of :func:`erlang_c` and ``p_abandon``; ``service_level`` is the
    share of *offered* calls answered within ``target_s`` (an abandoned call misses the
    target), ``service_level_answered`` the same share among answered calls, ``asa_s`` the
    mean wait of answered calls, ``mean_wait_s`` the mean wait of all callers (including
    the time before hanging up), ``occupancy`` the share of agents' time on answered calls.
    Stable for any number of agents. ``patience_s=inf`` gives Erlang C back.

    >>> res = erlang_a(calls=100, interval_s=1800, aht_s=180, agents=14, patience_s=120)
    >>> res["p_abandon"] < 0.05 and res["service_level"] > 0.8884
    True
    """
    from scipy.special import betainc

    scalar = _is_scalar(calls, interval_s, aht_s, agents, target_s, patience_s)
    index = _index(calls, interval_s, aht_s, agents, target_s, patience_s)
    a, t_int, h = _load(calls, interval_s, aht_s)
    n = _agents(agents)
    target = _non_negative(target_s, "le délai cible en secondes", "target_s")
    pat = require_number(patience_s, "la patience moyenne en secondes", "patience_s")
    if (pat <= 0).any():
        raise InvalidValueError(
            f"la patience moyenne (`patience_s`) doit être strictement positive (reçu : {float(pat[pat <= 0].flat[0]):g} s)."
        )
    a, n, h, target, pat = np.broadcast_arrays(a, n, h, target, pat)
    shape = a.shape
    a, n, h, target, pat = (x.ravel().astype(float) for x in (a, n, h, target, pat))
    # in units of the handle time: μ = 1, λ = a, θ = aht / patience
    theta = h / pat
    finite = theta > 0
    th = np.where(finite, theta, 1.0)
    b = erlang_b(a, n)
    # queue part, relative to π_N: r_q = Π_{i=1..q} a / (N + iθ); truncated where negligible
    spread = np.where(finite, np.maximum(a - n, 0) / th + 12 * np.sqrt(a / th + 1) + 30, 0)
    qmax = int(min(max(spread.max(initial=0), 1), 20_000))
    i = np.arange(1, qmax + 1)
    with np.errstate(divide="ignore"):
        log_r = np.cumsum(np.log(a[:, None]) - np.log(n[:, None] + i[None, :] * th[:, None]), axis=1)
    r = np.exp(log_r)                                   # r_q for q = 1..qmax
    r = np.concatenate([np.ones((len(a), 1)), r], axis=1)  # q = 0: π_N itself
    q = np.arange(0, qmax + 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        below = np.where(b > 0, 1 / b - 1, np.inf)      # Σ_{n<N} π_n / π_N
    total = below + r.sum(axis=1)
    p_arrive = r / total[:, None]                       # P(an arrival finds N + q in the system)
    p_wait = p_arrive.sum(axis=1)
    served = n[:, None] / (n[:, None] + (q[None, :] + 1) * th[:, None])
    p_abandon = (p_arrive * (1 - served)).sum(axis=1)
    x = 1 - np.exp(-th[:, None] * target[:, None] / h[:, None])
    within = np.zeros_like(p_arrive)
    live = p_arrive > 1e-14                              # the incomplete beta only where it counts
    rows, cols = np.nonzero(live)
    within[live] = served[live] * betainc(q[cols] + 1.0, n[rows] / th[rows] + 1.0, x[rows, 0])
    sl = (1 - p_wait) + (p_arrive * within).sum(axis=1)
    # mean wait of served callers who found q ahead: Σ_{k=1..q+1} 1 / (N + kθ), in aht units
    harmonic = np.cumsum(1 / (n[:, None] + (q[None, :] + 1) * th[:, None]), axis=1)
    p_served = 1 - p_abandon
    with np.errstate(divide="ignore", invalid="ignore"):
        asa = (p_arrive * served * harmonic).sum(axis=1) / p_served * h
        mean_wait = p_abandon / th * h
    occ = a * p_served / n
    # patience = inf: Erlang C (stable intervals only)
    if not finite.all():
        c, sl_c, asa_c, occ_c, stable = _erlang_c_core(a, n, h, target)
        if not stable[~finite].all():
            raise InvalidValueError(
                "avec une patience infinie, Erlang A redevient Erlang C : il faut strictement plus "
                "d'agents que la charge, sinon la file d'attente grandit sans fin."
            )
        p_wait = np.where(finite, p_wait, c)
        p_abandon = np.where(finite, p_abandon, 0.0)
        sl = np.where(finite, sl, sl_c)
        asa = np.where(finite, asa, asa_c)
        mean_wait = np.where(finite, mean_wait, asa_c)
        occ = np.where(finite, occ, occ_c)
        p_served = 1 - p_abandon
    sl_answered = np.where(p_served > 0, (sl - 0) / np.where(p_served > 0, p_served, 1), 0.0)
    cols = {"traffic_erlangs": a, "agents": n.astype(int), "p_wait": p_wait, "p_abandon": p_abandon,
            "service_level": sl, "service_level_answered": np.minimum(sl_answered, 1.0), "asa_s": asa,
            "mean_wait_s": mean_wait, "occupancy": occ}
    cols = {k: v.reshape(shape) for k, v in cols.items()}
    return _out(cols, scalar, index)


# ------------------------------------------------------------------ simulation
def simulate_queue(*, calls, interval_s, aht_s, agents, patience_s=None, handle_cv=1.0, n_intervals=200,
                   warmup_intervals=1, seed=0) -> pd.DataFrame:
    """A discrete-event simulation of one queue: FCFS, ``agents`` servers, optional patience.

    Poisson arrivals (``calls`` per ``interval_s`` on average), handle times of mean ``aht_s``
    (exponential when ``handle_cv=1``, the Erlang assumption; lognormal with that coefficient
    of variation otherwise, as real handle times), exponential patience of mean ``patience_s`` (``None``: nobody hangs
    up), first come first served. Runs ``n_intervals`` intervals from an empty centre and
    drops the calls of the first ``warmup_intervals`` (the centre is filling up). One row
    per call: ``arrival_s``, ``wait_s`` (time before an agent answers, or before hanging
    up), ``handle_s`` (0 if abandoned), ``abandoned`` (bool).

    With FCFS the wait of a caller is fixed at arrival: the next agent free after the
    callers ahead who did not hang up. A heap of the agents' next free times gives it.

    >>> sim = simulate_queue(calls=100, interval_s=1800, aht_s=180, agents=14, n_intervals=20, seed=1)
    >>> list(sim.columns)
    ['arrival_s', 'wait_s', 'handle_s', 'abandoned']
    """
    for v, name in ((calls, "calls"), (interval_s, "interval_s"), (aht_s, "aht_s"), (agents, "agents")):
        if np.ndim(v) != 0:
            raise InvalidValueError(f"`{name}` doit être un nombre (la simulation porte sur une file stationnaire).")
    a, t_int, h = (float(x) for x in _load(calls, interval_s, aht_s))
    n = int(_agents(agents))
    if patience_s is not None and float(require_number(patience_s, "la patience moyenne", "patience_s")) <= 0:
        raise InvalidValueError("la patience moyenne (`patience_s`) doit être strictement positive.")
    if int(n_intervals) <= int(warmup_intervals) or int(warmup_intervals) < 0:
        raise InvalidValueError("il faut plus d'intervalles simulés (`n_intervals`) que d'intervalles de chauffe.")
    if patience_s is None and n <= a:
        raise InvalidValueError(
            f"file instable : {n} agent(s) pour une charge de {a:.2f} erlangs et personne ne raccroche ; "
            "la file grandirait sans fin. Ajoutez des agents ou une patience (`patience_s`)."
        )
    cv = float(_non_negative(handle_cv, "le coefficient de variation des durées", "handle_cv", strict=True))
    rng = np.random.default_rng(seed)
    horizon = float(n_intervals) * t_int
    rate = float(calls) / t_int
    count = rng.poisson(rate * horizon)
    arrival = np.sort(rng.uniform(0, horizon, count))
    if cv == 1.0:
        handle = rng.exponential(h, count)
    else:
        s2 = math.log(1 + cv ** 2)
        handle = rng.lognormal(math.log(h) - s2 / 2, math.sqrt(s2), count)
    patience = np.full(count, np.inf) if patience_s is None else rng.exponential(float(patience_s), count)
    wait = np.empty(count)
    abandoned = np.zeros(count, dtype=bool)
    free = [0.0] * n                                   # next free time of each agent (a heap)
    for k in range(count):                             # a loop over calls: it is a simulation
        start = max(arrival[k], free[0])
        if start - arrival[k] > patience[k]:
            wait[k] = patience[k]
            abandoned[k] = True
            continue
        wait[k] = start - arrival[k]
        heapq.heapreplace(free, start + handle[k])
    keep = arrival >= warmup_intervals * t_int
    return pd.DataFrame({"arrival_s": arrival[keep], "wait_s": wait[keep],
                         "handle_s": np.where(abandoned, 0.0, handle)[keep], "abandoned": abandoned[keep]})


def simulate_priority_queue(*, calls, interval_s, aht_s, agents, n_intervals=200, warmup_intervals=1,
                            seed=0) -> pd.DataFrame:
    """A discrete-event simulation of one team serving several classes of callers by priority.

    ``calls`` maps each class, highest priority first (``{"or": 37, "argent": 24, …}``
    or a Series), to its calls per ``interval_s``; all share the exponential handle time
    ``aht_s`` and the ``agents``. A free agent takes the longest-waiting caller of the
    highest class waiting (non-preemptive priority, first come first served within a
    class); nobody hangs up. One row per call: ``arrival_s``, ``priority`` (the class),
    ``wait_s``; the calls of the first ``warmup_intervals`` are dropped.

    >>> sim = simulate_priority_queue(calls={"or": 20, "bronze": 60}, interval_s=1800, aht_s=180, agents=12,
    ...                               n_intervals=50, seed=1)
    >>> bool(sim.groupby("priority", sort=False)["wait_s"].mean().is_monotonic_increasing)
    True
    """
    from collections import deque

    rates = pd.Series(calls, dtype=float) if not isinstance(calls, pd.Series) else calls.astype(float)
    if rates.empty:
        raise InvalidValueError("`calls` doit donner le nombre d'appels de chaque classe, par exemple {\"or\": 30}.")
    load_total, t_int, h = (float(x) for x in _load(float(rates.sum()), interval_s, aht_s))
    _non_negative(rates.to_numpy(), "le nombre d'appels", "calls")
    n = int(_agents(agents))
    if n <= load_total:
        raise InvalidValueError(
            f"file instable : {n} agent(s) pour une charge de {load_total:.2f} erlangs et personne ne raccroche ; "
            "la file grandirait sans fin. Ajoutez des agents."
        )
    if int(n_intervals) <= int(warmup_intervals) or int(warmup_intervals) < 0:
        raise InvalidValueError("il faut plus d'intervalles simulés (`n_intervals`) que d'intervalles de chauffe.")
    rng = np.random.default_rng(seed)
    horizon = float(n_intervals) * t_int
    counts = rng.poisson(rates.to_numpy() / t_int * horizon)
    cls = np.repeat(np.arange(len(rates)), counts)
    arrival = rng.uniform(0, horizon, len(cls))
    order = np.argsort(arrival, kind="stable")
    arrival, cls = arrival[order], cls[order]
    handle = rng.exponential(h, len(cls))
    wait = np.empty(len(cls))
    free = [0.0] * n                                   # next free time of each agent (a heap)
    queues = [deque() for _ in range(len(rates))]

    def serve_waiting(until: float) -> None:
        # agents freed before ``until`` take the waiting callers, highest class first
        while free[0] <= until:
            queue = next((q for q in queues if q), None)
            if queue is None:
                return
            k = queue.popleft()
            start = free[0]
            wait[k] = start - arrival[k]
            heapq.heapreplace(free, start + handle[k])

    for k in range(len(cls)):                          # a loop over calls: it is a simulation
        serve_waiting(arrival[k])
        if free[0] <= arrival[k]:
            wait[k] = 0.0
            heapq.heapreplace(free, arrival[k] + handle[k])
        else:
            queues[cls[k]].append(k)
    serve_waiting(np.inf)
    keep = arrival >= warmup_intervals * t_int
    labels = np.asarray(rates.index, dtype=object)
    return pd.DataFrame({"arrival_s": arrival[keep],
                         "priority": pd.Categorical(labels[cls[keep]], categories=list(rates.index), ordered=True),
                         "wait_s": wait[keep]})


def queue_summary(calls: pd.DataFrame, target_s: float = 20.0) -> dict:
    """Service figures of a call table (one row per call, as :func:`simulate_queue` returns).

    ``p_wait`` (share of callers who waited), ``service_level`` (answered within
    ``target_s`` / offered), ``asa_s`` (mean wait of answered calls), ``p_abandon``.

    >>> t = pd.DataFrame({"wait_s": [0.0, 30.0, 10.0], "abandoned": [False, True, False]})
    >>> queue_summary(t)["service_level"]
    0.6666666666666666
    """
    from .validation import check_table

    calls = check_table(calls, "appels", ["wait_s", "abandoned"], non_negative=["wait_s"])
    w = calls["wait_s"].to_numpy(float)
    ab = calls["abandoned"].to_numpy(bool)
    answered = ~ab
    return {"n_calls": int(len(w)), "p_wait": float((w > 0).mean()),
            "service_level": float((answered & (w <= target_s)).mean()),
            "asa_s": float(w[answered].mean()) if answered.any() else math.nan,
            "p_abandon": float(ab.mean())}


# ------------------------------------------------------------------ the staffing planner
PLANNER_TITLE = "Planificateur d'effectifs (Erlang C)"


def staffing_figure(interval_s: float = 1800.0, span: int = 40):
    """The staffing planner's live figure (:class:`crmlab.widgets.LiveFigure`) and its ``update``.

    Left: service level and occupancy against the number of agents on the phones, the
    target and the agents needed marked; right: the average speed of answer (ASA).
    ``update(calls, aht_s, target_s, service_level, hourly_cost, shrinkage)`` moves the
    artists and returns ``(title, caption)``. Returns ``(view, update)``.

    >>> view, update = staffing_figure()
    >>> update(100, 180, 20, 0.8, 25, 0.3)[1][:44]
    '14 agents au téléphone (charge 10,0 erlangs)'
    """
    from .style import COLORS, NBSP, fmt_eur, fmt_number, fmt_pct, format_axis
    from .widgets import LiveFigure, nice_limits

    steps = np.arange(span)
    view = LiveFigure((11, 4.6), ncols=2, heading=PLANNER_TITLE)
    left, right = view.axes
    (sl_line,) = left.plot(steps, np.zeros(span), "-o", color=COLORS["primary"], ms=3, label="Niveau de service")
    (occ_line,) = left.plot(steps, np.zeros(span), "-", color=COLORS["neutral"], lw=1.5, label="Occupation")
    goal_line = left.axhline(0.8, color=COLORS["accent"], ls="--", lw=1.2, label="Objectif")
    need_left = left.axvline(0, color=COLORS["good"], lw=2, label="Agents nécessaires")
    left.set_ylim(0, 1.02)
    left.set_title("Niveau de service et occupation")
    left.set_xlabel("Agents au téléphone")
    left.set_ylabel("Part des appels / du temps")
    left.legend(loc="lower right", fontsize="small")
    format_axis(left, y="pct")
    (asa_line,) = right.plot(steps, np.zeros(span), "-o", color=COLORS["bad"], ms=3)
    need_right = right.axvline(0, color=COLORS["good"], lw=2)
    right.set_title("Temps moyen d'attente (ASA)")
    right.set_xlabel("Agents au téléphone")
    right.set_ylabel("Secondes")
    view.animate(sl_line, occ_line, goal_line, need_left, asa_line, need_right)
    state = {"low": None}

    def update(calls: float, aht_s: float, target_s: float, service_level: float, hourly_cost: float,
               shrinkage: float) -> tuple[str, str]:
        need = agents_needed(calls=calls, interval_s=interval_s, aht_s=aht_s, target_s=target_s,
                             service_level=service_level)
        load = float(traffic(calls, interval_s, aht_s))
        cost = float(require_number(hourly_cost, "le coût horaire d'un agent", "hourly_cost"))
        if cost < 0:
            raise NegativeValueError("le coût horaire d'un agent ne peut pas être négatif.")
        low = state["low"]
        fits = low is not None and low <= max(load - 1, 1) and need <= low + span - 6 and load - low < span / 2
        if not fits:  # a new window only when needed: each one costs a new background
            low = max(1, 10 * int(max(load - 3, 0) // 10))
            state["low"] = low
        agents = low + steps
        res = erlang_c(calls=calls, interval_s=interval_s, aht_s=aht_s, agents=agents, target_s=target_s,
                       unstable="saturate")
        stable = res["agents"].to_numpy() > load
        sl_line.set_data(agents, np.where(stable, res["service_level"], np.nan))
        occ_line.set_data(agents, np.where(stable, res["occupancy"], np.nan))
        asa = np.where(stable, res["asa_s"], np.nan)
        asa_line.set_data(agents, asa)
        goal_line.set_ydata([service_level, service_level])
        for line in (need_left, need_right):
            line.set_xdata([need, need])
        for ax in (left, right):
            ax.set_xlim(low - 0.5, low + span - 0.5)
        at = erlang_c(calls=calls, interval_s=interval_s, aht_s=aht_s, agents=max(need, 1), target_s=target_s) \
            if need > 0 else {"service_level": 1.0, "asa_s": 0.0, "occupancy": 0.0}
        right.set_ylim(nice_limits(0.0, 3 * float(target_s)))  # moves with the target only: backgrounds are reused
        scheduled = with_shrinkage(need, shrinkage)
        per_hour = scheduled * cost
        per_call = per_hour * interval_s / 3600 / calls if calls > 0 else np.nan
        minutes = fmt_number(interval_s / 60)
        title = (f"{fmt_number(calls)} appels par {minutes}{NBSP}min, durée de traitement {fmt_number(aht_s)}{NBSP}s, "
                 f"objectif {fmt_pct(service_level, 0)} en {fmt_number(target_s)}{NBSP}s")
        caption = (f"{need} agents au téléphone (charge {fmt_number(load, 1)} erlangs) : niveau de service "
                   f"{fmt_pct(at['service_level'], 1)}, ASA {fmt_number(at['asa_s'], 1)}{NBSP}s, occupation "
                   f"{fmt_pct(at['occupancy'], 1)} ; {scheduled} agents planifiés avec {fmt_pct(shrinkage, 0)} "
                   f"d'inefficience : {fmt_eur(per_hour)} par heure, {fmt_eur(per_call, 2)} par appel.")
        return title, caption

    return view, update


def staffing_widget(calls: float = 100, aht_s: float = 180, target_s: float = 20, service_level: float = 0.8,
                    hourly_cost: float = 25, shrinkage: float = 0.3, interval_s: float = 1800.0):
    """Sliders (volume, handle time, target, service level, cost, shrinkage) → the planner figure.

    Returns the widget box (display it as the last expression of a cell); see
    :func:`staffing_figure`.
    """
    from . import widgets

    view, update = staffing_figure(interval_s=interval_s)
    minutes = int(round(interval_s / 60))
    controls = {
        "calls": widgets.number(f"appels par {minutes} min", calls, 10, 600, 10),
        "aht_s": widgets.number("durée de traitement (s)", aht_s, 60, 900, 10),
        "target_s": widgets.number("délai cible (s)", target_s, 5, 120, 5),
        "service_level": widgets.percent("niveau de service visé", service_level, 0.5, 0.95, 0.05),
        "hourly_cost": widgets.number("coût d'un agent par heure", hourly_cost, 15, 50, 1, unit="€"),
        "shrinkage": widgets.percent("inefficience (shrinkage)", shrinkage, 0.0, 0.5, 0.05),
    }
    return widgets.explorer(view, update, controls, name="planificateur d'effectifs")
