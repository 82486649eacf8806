"""What a dispatcher reads first on a plan: the day in a few figures, and what needs them.

`summary` takes a finished plan's result (dispatch_plans.serialize) and gives the trucks used
out of those available, the orders placed out of the day's, the kilometres driven loaded and
empty (the drive home), the cost, the least shelf life any lot has on arrival, and the
warnings, worst first:
- orders left out (they cannot go, or no truck had room or time);
- drivers short: a truck stays home because it has no driver or its driver drives another
  run of the plan;
- windows at risk: a stop where unloading starts less than WINDOW_MARGIN before receiving
  closes, so a delay on the road makes it late.

Plans stored before the empty kilometres were recorded give None for them (the page says
it does not know), never a guess.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

WINDOW_MARGIN = dt.timedelta(minutes=30)
LEFT_OUT, DRIVERS_SHORT, WINDOW_RISK = "left_out", "drivers_short", "window_risk"


@dataclass(frozen=True)
class RiskyStop:
    truck: int
    plate: str
    stop: int
    site_zh: str
    site_en: str
    minutes_left: int  # from the start of unloading to receiving's close


@dataclass
class PlanSummary:
    trucks_used: int
    trucks_available: int
    orders_placed: int
    orders: int
    km_loaded: int | None
    km_empty: int | None
    cost_fen: int
    least_life_h: float | None  # the least shelf life left on arrival of any lot planned
    left_out: int
    drivers_short: list[dict] = field(default_factory=list)  # the idle trucks' records
    risky_stops: list[RiskyStop] = field(default_factory=list)

    @property
    def warnings(self) -> list[str]:
        """The warning codes that apply, worst first."""
        return [code for code, applies in ((LEFT_OUT, self.left_out),
                                           (DRIVERS_SHORT, self.drivers_short),
                                           (WINDOW_RISK, self.risky_stops)) if applies]


def summary(result: dict) -> PlanSummary:
    routes = result.get("routes") or []
    empty = [r.get("empty_km") for r in routes]
    known = all(km is not None for km in empty)
    lives = [item["life_on_arrival_h"] for r in routes for s in r["stops"]
             for item in s["items"] if item.get("life_on_arrival_h") is not None]
    unassigned = result.get("unassigned") or []
    return PlanSummary(
        trucks_used=len(routes), trucks_available=int(result.get("vehicles") or 0),
        orders_placed=int(result.get("orders") or 0) - len(unassigned),
        orders=int(result.get("orders") or 0),
        km_loaded=sum(r["distance_km"] - r["empty_km"] for r in routes) if known else None,
        km_empty=sum(empty) if known else None,  # type: ignore[arg-type]
        cost_fen=int(result.get("cost_fen") or 0),
        least_life_h=min(lives) if lives else None,
        left_out=len(unassigned),
        drivers_short=list(result.get("idle") or []),
        risky_stops=_risky_stops(routes))


def _risky_stops(routes: list[dict]) -> list[RiskyStop]:
    risky = []
    for route in routes:
        for n, stop in enumerate(route["stops"], start=1):
            left = (dt.datetime.fromisoformat(stop["window"][1])
                    - dt.datetime.fromisoformat(stop["start"]))
            if left < WINDOW_MARGIN:
                risky.append(RiskyStop(route["no"], route["plate"], n, stop["site_zh"],
                                       stop["site_en"], int(left.total_seconds() // 60)))
    return risky


def fill_percent(loaded: float, capacity: float) -> int:
    """How full a compartment is, in whole percent (0 for no capacity)."""
    return round(loaded / capacity * 100) if capacity else 0
