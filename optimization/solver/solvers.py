"""Running CBC (bundled with PuLP) or HiGHS (through highspy, when installed) with a time limit, a relative gap and
a fixed thread count, and reading back a status and the gap actually reached."""

from __future__ import annotations

import os
import re
import tempfile
import time
from dataclasses import dataclass

import pulp

OPTIMAL, FEASIBLE, INFEASIBLE = "optimal", "feasible", "infeasible"


@dataclass(frozen=True)
class Outcome:
    status: str
    gap: float
    seconds: float


def highs_available() -> bool:
    return "HiGHS" in pulp.listSolvers(onlyAvailable=True)


def solve(problem: pulp.LpProblem, options, *, relaxed: bool = False, warm: bool = False) -> Outcome:
    """``relaxed``: an LP (no integer variables left), solved for its duals."""
    if options.solver == "highs":
        if not highs_available():
            raise ValueError("solver 'highs' needs the highspy package; use 'cbc'")
        return _solve_highs(problem, options)
    return _solve_cbc(problem, options, relaxed=relaxed, warm=warm)


def _solve_cbc(problem: pulp.LpProblem, options, *, relaxed: bool, warm: bool) -> Outcome:
    handle, log_path = tempfile.mkstemp(suffix=".log")
    os.close(handle)
    try:
        solver = pulp.PULP_CBC_CMD(
            msg=False, timeLimit=options.time_limit, gapRel=None if relaxed else options.gap,
            threads=options.threads, logPath=log_path, warmStart=warm,
        )  # fmt: skip
        started = time.perf_counter()
        problem.solve(solver)
        seconds = time.perf_counter() - started
        with open(log_path) as handle_log:
            log = handle_log.read()
    finally:
        os.remove(log_path)
    status = _status(problem)
    return Outcome(status, 0.0 if relaxed or status == INFEASIBLE else _cbc_gap(log, problem), seconds)


def _solve_highs(problem: pulp.LpProblem, options) -> Outcome:
    solver = pulp.HiGHS(msg=False, timeLimit=options.time_limit, gapRel=options.gap, threads=options.threads)
    started = time.perf_counter()
    problem.solve(solver)
    seconds = time.perf_counter() - started
    status = _status(problem)
    gap = 0.0
    model = getattr(problem, "solverModel", None)
    if model is not None and status != INFEASIBLE:
        gap = float(model.getInfo().mip_gap)
        gap = gap if gap < float("inf") else 0.0
    return Outcome(status, gap, seconds)


def _status(problem: pulp.LpProblem) -> str:
    if problem.sol_status == pulp.LpSolutionOptimal:
        return OPTIMAL
    if problem.sol_status == pulp.LpSolutionIntegerFeasible:
        return FEASIBLE
    return INFEASIBLE


def _cbc_gap(log: str, problem: pulp.LpProblem) -> float:
    """CBC prints "Gap:" when it stops short of proof; otherwise the bound ("Lower bound", or the "best possible"
    in the last progress line) against the incumbent. CBC's objective leaves out PuLP's constant, so the gap is
    taken on the whole objective (the model carries its constant as a variable fixed at 1)."""
    objective = pulp.value(problem.objective) or 0.0
    bound = None
    match = re.search(r"Lower bound:\s+(-?[\d.eE+-]+)", log)
    if match:
        bound = float(match.group(1))
    else:
        found = re.findall(r"best possible (-?[\d.eE+-]+)", log)
        if found:
            bound = float(found[-1])
    if bound is None:
        return 0.0
    return max((objective - bound) / max(abs(objective), 1e-9), 0.0)
