"""Road distance and driving time between places: the estimate and the travel providers.

Two ways to get them, behind one interface (`TravelProvider`: a ``name`` and
``matrix(points)``, the whole square matrix of integer metres and seconds between all the
points in one call, row = from, column = to, zero diagonal):

- `EstimateProvider` (the default) is the estimate the cold-chain issue describes:
  great-circle distance times a circuity factor (roads are not straight; about 1.3 on the YRD
  expressway network), at a reefer truck's average speed, plus the legal rest of 20 minutes
  after every 4 hours of driving. It needs no server and is symmetric. The single-leg
  functions it is built on (`great_circle_km`, `driving_hours`, `road_leg`) are public too;
  the buyers' delivery promises use `road_leg` directly.
- `OsrmProvider` asks an OSRM routing server (its table service, ``/table/v1/{profile}/``)
  for real road distances and durations. OSRM's car times know nothing of a truck driver's
  legal rest, so by default the same rest rule is added to each leg's duration
  (``rest=False`` turns that off). With the rule on, the matrix also carries the time at the
  wheel (`Matrix.driving`), since on a run of several stops the rule counts driving across
  legs (`drive`). Servers cap the table size (``--max-table-size``, 100 by
  default), so large point sets are requested in blocks of at most ``block_size`` sources by
  ``block_size`` destinations. Unreachable pairs, OSRM errors and network failures raise
  `TravelError`; there is no silent fallback to the estimate.

`provider_from_url` picks one: no URL gives the estimate, a URL gives OSRM at that address.
Only the standard library is used (``urllib`` for HTTP); this package stays free of the web
stack and the database.
"""

from __future__ import annotations

import http.client
import json
import math
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeGuard

EARTH_RADIUS_KM = 6371.0088
CIRCUITY = 1.3
REEFER_KMH = 70.0
DRIVE_BEFORE_REST_S = 4 * 3600  # the legal rest: 20 minutes after 4 hours at the wheel
REST_S = 20 * 60
DRIVE_BEFORE_REST_H = DRIVE_BEFORE_REST_S / 3600
REST_H = REST_S / 3600
OSRM_MAX_TABLE_SIZE = 100  # osrm-routed's default --max-table-size


@dataclass(frozen=True)
class Leg:
    distance_km: float
    hours: float


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance in km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def rest_hours(driving_h: float) -> float:
    """The legal rests a trip of ``driving_h`` hours at the wheel needs: 20 minutes after every
    4 hours of driving, none at the very end of the trip."""
    return max(math.ceil(driving_h / DRIVE_BEFORE_REST_H) - 1, 0) * REST_H


def driving_hours(distance_km: float, speed_kmh: float = REEFER_KMH) -> float:
    """Driving time with the legal rests (none needed at the very end of the trip)."""
    driving = distance_km / speed_kmh
    return driving + rest_hours(driving)


def road_leg(lat1: float, lon1: float, lat2: float, lon2: float,
             circuity: float = CIRCUITY, speed_kmh: float = REEFER_KMH) -> Leg:
    distance = great_circle_km(lat1, lon1, lat2, lon2) * circuity
    return Leg(distance, driving_hours(distance, speed_kmh))


# --- providers ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    lat: float
    lon: float


@dataclass(frozen=True)
class Matrix:
    """Square travel matrix: ``meters[i][j]`` and ``seconds[i][j]`` from point i to point j.

    ``seconds`` is one trip on its own, legal rests included where the provider applies the
    rest rule; ``driving`` is then the time at the wheel alone (None: no rest rule, the
    driving time is ``seconds``). A multi-stop run needs the wheel time, because the rule
    counts driving across legs (`drive`).

    Metres are rounded to the nearest metre, seconds rounded up; the diagonal is 0."""

    meters: tuple[tuple[int, ...], ...]
    seconds: tuple[tuple[int, ...], ...]
    driving: tuple[tuple[int, ...], ...] | None = None


def drive(stint_s: int, driving_s: int) -> tuple[int, int]:
    """One leg under the rest rule, counting the driving across legs.

    ``stint_s`` is the driving since the last rest (or the start of the shift); the leg takes
    ``driving_s`` at the wheel. Returns (how many 20-minute rests the leg needs, the stint when
    it ends). A rest falls each time the stint reaches 4 hours with driving still to do; a leg
    that ends at exactly 4 hours needs none until the truck moves again.
    """
    total = stint_s + driving_s
    rests = max(-(-total // DRIVE_BEFORE_REST_S) - 1, 0) if driving_s > 0 else 0
    return rests, total - rests * DRIVE_BEFORE_REST_S


def budgeted(driving_s: int) -> int:
    """Wheel time with the rests spread evenly over it (5 minutes per hour, rounded up).

    Additive over legs and never less than the rests the rule places (`drive`) on any run of
    legs, so a planner that adds these per leg never promises a time the real stops miss."""
    return -(-driving_s * (DRIVE_BEFORE_REST_S + REST_S) // DRIVE_BEFORE_REST_S)


class TravelError(Exception):
    """A travel provider could not produce the matrix (unreachable pair, server error...)."""


class TravelProvider(Protocol):
    name: str

    def matrix(self, points: Sequence[Point]) -> Matrix:
        """The whole square matrix between all ``points``, in one call."""
        ...


def _frozen(rows: list[list[int]]) -> tuple[tuple[int, ...], ...]:
    return tuple(map(tuple, rows))


def _ceil_seconds(seconds: float) -> int:
    # Rounded to a microsecond first so float noise (14400.000000000002) does not add a second.
    return math.ceil(round(seconds, 6))


class EstimateProvider:
    """Great-circle distance x circuity at a reefer's average speed, with the legal rests."""

    name: str = "estimate"

    def __init__(self, circuity: float = CIRCUITY, speed_kmh: float = REEFER_KMH) -> None:
        self.circuity = circuity
        self.speed_kmh = speed_kmh

    def __repr__(self) -> str:
        return f"EstimateProvider(circuity={self.circuity!r}, speed_kmh={self.speed_kmh!r})"

    def matrix(self, points: Sequence[Point]) -> Matrix:
        n = len(points)
        meters = [[0] * n for _ in range(n)]
        seconds = [[0] * n for _ in range(n)]
        driving = [[0] * n for _ in range(n)]
        for i in range(n):
            for j in range(i + 1, n):  # the estimate is symmetric
                a, b = points[i], points[j]
                leg = road_leg(a.lat, a.lon, b.lat, b.lon, self.circuity, self.speed_kmh)
                meters[i][j] = meters[j][i] = round(leg.distance_km * 1000)
                seconds[i][j] = seconds[j][i] = _ceil_seconds(leg.hours * 3600)
                wheel = leg.distance_km / self.speed_kmh * 3600
                driving[i][j] = driving[j][i] = _ceil_seconds(wheel)
        return Matrix(_frozen(meters), _frozen(seconds), _frozen(driving))


def _number(value: object) -> float | None:
    """A JSON cell as a float; None for null. Anything else is a malformed response."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"not a number: {value!r}")
    return float(value)


class OsrmProvider:
    """Distances and durations from an OSRM server's table service.

    ``base_url`` is the server's root (``http://osrm.internal:5000``), ``profile`` the routing
    profile in the URL. With ``rest`` (the default) the legal rest rule of `driving_hours` is
    added to each leg's OSRM duration. At most ``block_size`` sources by ``block_size``
    destinations are asked per request (keep it at or under the server's --max-table-size);
    each request carries only the coordinates of its two blocks.
    """

    name: str = "osrm"

    def __init__(self, base_url: str, profile: str = "driving", timeout_s: float = 30,
                 rest: bool = True, block_size: int = OSRM_MAX_TABLE_SIZE) -> None:
        scheme = urllib.parse.urlsplit(base_url).scheme
        if scheme not in ("http", "https"):
            raise ValueError(f"OSRM base URL must be http(s)://..., got {base_url!r}")
        if block_size < 1:
            raise ValueError(f"block_size must be at least 1, got {block_size}")
        self.base_url = base_url.rstrip("/")
        self.profile = profile
        self.timeout_s = timeout_s
        self.rest = rest
        self.block_size = block_size

    def __repr__(self) -> str:
        return (f"OsrmProvider({self.base_url!r}, profile={self.profile!r}, "
                f"timeout_s={self.timeout_s!r}, rest={self.rest!r}, "
                f"block_size={self.block_size!r})")

    def matrix(self, points: Sequence[Point]) -> Matrix:
        n = len(points)
        meters = [[0] * n for _ in range(n)]
        seconds = [[0] * n for _ in range(n)]
        driving = [[0] * n for _ in range(n)]
        if n > 1:
            blocks = [range(s, min(s + self.block_size, n)) for s in range(0, n, self.block_size)]
            for sources in blocks:
                for destinations in blocks:
                    self._fill(points, sources, destinations, meters, seconds, driving)
        return Matrix(_frozen(meters), _frozen(seconds), _frozen(driving) if self.rest else None)

    def _fill(self, points: Sequence[Point], sources: range, destinations: range,
              meters: list[list[int]], seconds: list[list[int]],
              driving: list[list[int]]) -> None:
        """Request one block (global indexes ``sources`` x ``destinations``) into the matrix."""
        if sources == destinations:
            coords = [points[i] for i in sources]
            query: dict[str, str] = {}
        else:  # the source block's coordinates, then the destination block's
            coords = [points[i] for i in sources] + [points[j] for j in destinations]
            k = len(sources)
            query = {"sources": ";".join(str(i) for i in range(k)),
                     "destinations": ";".join(str(k + j) for j in range(len(destinations)))}
        query["annotations"] = "duration,distance"
        url = (f"{self.base_url}/table/v1/{self.profile}/"
               + ";".join(f"{p.lon:.6f},{p.lat:.6f}" for p in coords))
        body = self._get(url, urllib.parse.urlencode(query, safe=";,"))
        durations, distances = body.get("durations"), body.get("distances")
        shape = len(sources), len(destinations)
        if not (_is_table(durations, *shape) and _is_table(distances, *shape)):
            raise TravelError(f"OSRM {url}: malformed table response (expected "
                              f"{len(sources)}x{len(destinations)} durations and distances)")
        for r, i in enumerate(sources):
            for c, j in enumerate(destinations):
                if i == j:
                    continue
                try:
                    duration = _number(durations[r][c])
                    distance = _number(distances[r][c])
                except ValueError as exc:
                    raise TravelError(f"OSRM {url}: malformed cell for points {i} -> {j}: "
                                      f"{exc}") from exc
                if duration is None or distance is None:
                    raise TravelError(f"OSRM found no route from point {i} "
                                      f"{_where(points[i])} to point {j} {_where(points[j])}")
                meters[i][j] = round(distance)
                driving[i][j] = _ceil_seconds(duration)
                if self.rest:
                    duration += rest_hours(duration / 3600) * 3600
                seconds[i][j] = _ceil_seconds(duration)

    def _get(self, url: str, query: str) -> dict[str, Any]:
        """GET ``url?query`` and return the JSON body, whose ``code`` must be "Ok"."""
        request = urllib.request.Request(f"{url}?{query}", headers={
            "Accept": "application/json", "User-Agent": "freshcircle-logistics"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            # OSRM answers its errors (NoRoute, InvalidQuery, TooBig...) with HTTP 400 + JSON.
            with exc:
                raw = exc.read()
            message = _osrm_message(raw)
            raise TravelError(f"OSRM {url}: HTTP {exc.code}: "
                              f"{message or exc.reason}") from exc
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            cause = exc.reason if isinstance(exc, urllib.error.URLError) else exc
            raise TravelError(f"OSRM {url} unreachable: {cause!r}") from exc
        try:
            body = json.loads(raw)
        except ValueError as exc:
            raise TravelError(f"OSRM {url}: response is not JSON: {exc}") from exc
        if not isinstance(body, dict):
            raise TravelError(f"OSRM {url}: response is not a JSON object")
        if body.get("code") != "Ok":
            raise TravelError(f"OSRM {url}: {body.get('code')}: {body.get('message', '')}")
        return body


def _is_table(value: object, rows: int, columns: int) -> TypeGuard[list[list[object]]]:
    return (isinstance(value, list) and len(value) == rows
            and all(isinstance(row, list) and len(row) == columns for row in value))


def _where(point: Point) -> str:
    return f"({point.lat:.6f}, {point.lon:.6f})"


def _osrm_message(raw: bytes) -> str | None:
    """``"Code: message"`` from an OSRM error body, or None if it is not one."""
    try:
        body = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(body, dict) or "code" not in body:
        return None
    return f"{body['code']}: {body.get('message', '')}"


def provider_from_url(url: str | None) -> TravelProvider:
    """`EstimateProvider` when ``url`` is None or empty, else `OsrmProvider` at ``url``."""
    if url is None or not url.strip():
        return EstimateProvider()
    return OsrmProvider(url.strip())
