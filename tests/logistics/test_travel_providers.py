"""Travel providers: the estimate as a matrix, and OSRM's table service over real HTTP.

The OSRM tests talk to a small HTTP server started here that speaks the table API for a fixed
set of seven points: it finds each coordinate of the URL (lon,lat) among them, honours
``sources``/``destinations`` and a table-size cap like osrm-routed's --max-table-size, and
answers durations and distances that are a known function of the two points' indexes.
"""

from __future__ import annotations

import json
import math
import re
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from freshcircle.logistics.travel import (
    EstimateProvider,
    Matrix,
    OsrmProvider,
    Point,
    TravelError,
    provider_from_url,
    road_leg,
)

FUYANG = Point(32.89, 115.81)
SHANGHAI = Point(31.23, 121.47)

POINTS = [Point(30.0 + 0.1 * i, 120.0 + 0.2 * i) for i in range(7)]
INDEX = {f"{p.lon:.6f},{p.lat:.6f}": i for i, p in enumerate(POINTS)}
FOUR_HOURS_S = 4 * 3600


def duration(i: int, j: int) -> float:
    """Seconds the fake OSRM answers from point i to j: asymmetric; |i - j| = 6 is over 4 h."""
    return 0.0 if i == j else 2500.5 * abs(i - j) + i


def distance(i: int, j: int) -> float:
    return 0.0 if i == j else 41000.4 * abs(i - j) + 0.7 * j


def expected_seconds(i: int, j: int, rest: bool = True) -> int:
    d = duration(i, j)
    if rest and d > FOUR_HOURS_S:  # every duration here is under 8 h: at most one rest
        d += 20 * 60
    return math.ceil(d)


def expected_meters(i: int, j: int) -> int:
    return round(distance(i, j))


class FakeOsrm:
    def __init__(self, url: str) -> None:
        self.url = url
        self.requests: list[str] = []  # path with query, in arrival order
        self.max_table_size = 100
        self.unreachable: set[tuple[int, int]] = set()
        self.reply: tuple[int, bytes] | None = None  # canned (status, body) for every request
        self.delay_s = 0.0

    def answer(self, path: str) -> tuple[int, object]:
        parts = urlsplit(path)
        prefix = "/table/v1/driving/"
        if not parts.path.startswith(prefix):
            return 400, {"code": "InvalidUrl", "message": f"no such service: {parts.path}"}
        try:
            coords = [INDEX[c] for c in parts.path[len(prefix):].split(";")]
        except KeyError as exc:
            return 400, {"code": "NoSegment", "message": f"unknown coordinate {exc}"}
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if query.get("annotations") != "duration,distance":
            return 400, {"code": "InvalidQuery", "message": "annotations missing"}

        def indexes(name: str) -> list[int]:
            value = query.get(name, "all")
            return list(range(len(coords))) if value == "all" else [
                int(k) for k in value.split(";")]

        sources, destinations = indexes("sources"), indexes("destinations")
        if len(sources) * len(destinations) > self.max_table_size ** 2:
            return 400, {"code": "TooBig", "message": "Too many table coordinates"}

        def cell(f: object, s: int, d: int) -> float | None:
            i, j = coords[s], coords[d]
            if (i, j) in self.unreachable:
                return None
            assert callable(f)
            value = f(i, j)
            assert isinstance(value, float)
            return value

        return 200, {
            "code": "Ok",
            "durations": [[cell(duration, s, d) for d in destinations] for s in sources],
            "distances": [[cell(distance, s, d) for d in destinations] for s in sources],
        }


@pytest.fixture
def osrm() -> Iterator[FakeOsrm]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            fake.requests.append(self.path)
            time.sleep(fake.delay_s)
            if fake.reply is not None:
                status, body = fake.reply
            else:
                status, obj = fake.answer(self.path)
                body = json.dumps(obj).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    class Server(ThreadingHTTPServer):
        def handle_error(self, request: object, client_address: object) -> None:
            pass  # a client that timed out and hung up is expected in one test

    server = Server(("127.0.0.1", 0), Handler)
    fake = FakeOsrm(f"http://127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def full_expected(n: int, rest: bool = True) -> Matrix:
    return Matrix(
        meters=tuple(tuple(expected_meters(i, j) for j in range(n)) for i in range(n)),
        seconds=tuple(tuple(expected_seconds(i, j, rest) for j in range(n)) for i in range(n)),
        driving=tuple(tuple(expected_seconds(i, j, False) for j in range(n)) for i in range(n))
        if rest else None,
    )


# --- OSRM ---------------------------------------------------------------------------------


def test_osrm_matrix_adds_the_legal_rest_to_legs_over_four_hours(osrm: FakeOsrm) -> None:
    matrix = OsrmProvider(osrm.url).matrix(POINTS)

    assert matrix == full_expected(7)
    assert matrix.seconds[0][6] == 15003 + 1200  # 4 h 10 min at the wheel: one 20 min rest
    assert matrix.seconds[6][0] == 15009 + 1200
    assert matrix.seconds[0][5] == 12503  # 12502.5 s, under 4 h: no rest, rounded up
    # The time at the wheel, for runs of several legs:
    assert matrix.driving is not None and matrix.driving[0][6] == 15003
    assert matrix.meters[0][1] == 41001  # 41000.4 + 0.7 m, rounded to nearest
    assert all(matrix.seconds[i][i] == 0 and matrix.meters[i][i] == 0 for i in range(7))
    assert len(osrm.requests) == 1  # 7 x 7 fits in one table request


def test_osrm_without_rest_returns_the_server_durations(osrm: FakeOsrm) -> None:
    matrix = OsrmProvider(osrm.url, rest=False).matrix(POINTS)

    assert matrix == full_expected(7, rest=False)
    assert matrix.seconds[0][6] == 15003


def test_osrm_url_has_lon_lat_order_and_asks_for_both_annotations(osrm: FakeOsrm) -> None:
    OsrmProvider(osrm.url + "/").matrix(POINTS[:2])  # a trailing slash on the base is fine

    (request,) = osrm.requests
    parts = urlsplit(request)
    assert parts.path == "/table/v1/driving/120.000000,30.000000;120.200000,30.100000"
    assert parse_qs(parts.query) == {"annotations": ["duration,distance"]}


def test_osrm_large_point_sets_are_requested_in_blocks(osrm: FakeOsrm) -> None:
    osrm.max_table_size = 3  # the server refuses more than 3 x 3 cells ("TooBig")

    matrix = OsrmProvider(osrm.url, block_size=3).matrix(POINTS)

    assert matrix == full_expected(7)
    assert len(osrm.requests) == 9  # blocks {0,1,2} {3,4,5} {6}: every ordered pair of blocks
    queries = [parse_qs(urlsplit(r).query) for r in osrm.requests]
    assert any("sources" in q and "destinations" in q for q in queries)


def test_osrm_block_too_large_for_the_server_is_a_travel_error(osrm: FakeOsrm) -> None:
    osrm.max_table_size = 3

    with pytest.raises(TravelError, match="TooBig"):
        OsrmProvider(osrm.url).matrix(POINTS)


def test_osrm_unreachable_pair_names_both_points(osrm: FakeOsrm) -> None:
    osrm.unreachable = {(2, 5)}

    with pytest.raises(TravelError, match=r"no route from point 2 .* to point 5 "):
        OsrmProvider(osrm.url, block_size=3).matrix(POINTS)  # indexes are global, not per block


@pytest.mark.parametrize(("status", "code", "message"), [
    (400, "NoRoute", "Impossible route between points"),
    (400, "InvalidQuery", "Query string malformed close to position 42"),
    (200, "NoSegment", "Could not find a matching segment for coordinate 3"),
])
def test_osrm_error_codes_are_travel_errors_with_the_message(
        osrm: FakeOsrm, status: int, code: str, message: str) -> None:
    osrm.reply = status, json.dumps({"code": code, "message": message}).encode()

    with pytest.raises(TravelError) as caught:
        OsrmProvider(osrm.url).matrix(POINTS[:3])

    assert f"{code}: {message}" in str(caught.value)
    assert "annotations" not in str(caught.value)  # the URL is given without its query


def test_osrm_server_down_is_a_travel_error_with_the_url() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"  # nothing listens there any more

    with pytest.raises(TravelError) as caught:
        OsrmProvider(url).matrix(POINTS[:2])

    text = str(caught.value)
    assert f"{url}/table/v1/driving/120.000000,30.000000;120.200000,30.100000" in text
    assert "unreachable" in text
    assert "?" not in text
    assert isinstance(caught.value.__cause__, OSError)


def test_osrm_timeout_is_a_travel_error(osrm: FakeOsrm) -> None:
    osrm.delay_s = 0.5

    with pytest.raises(TravelError, match=r"unreachable.*timed out"):
        OsrmProvider(osrm.url, timeout_s=0.1).matrix(POINTS[:2])


@pytest.mark.parametrize("body", [
    b"<html>502 Bad Gateway</html>",
    b'{"code": "Ok", "durations": [[0, 1]], "distances": [[0, 1], [1, 0]]}',
    b'{"code": "Ok", "durations": [[0, "x"], [1, 0]], "distances": [[0, 1], [1, 0]]}',
])
def test_osrm_malformed_response_is_a_travel_error(osrm: FakeOsrm, body: bytes) -> None:
    osrm.reply = 200, body

    with pytest.raises(TravelError, match=re.escape(f"{osrm.url}/table/v1/driving/")):
        OsrmProvider(osrm.url).matrix(POINTS[:2])


def test_osrm_needs_no_request_for_fewer_than_two_points(osrm: FakeOsrm) -> None:
    provider = OsrmProvider(osrm.url)

    assert provider.matrix([]) == Matrix((), (), ())
    assert provider.matrix(POINTS[:1]) == Matrix(((0,),), ((0,),), ((0,),))
    assert osrm.requests == []


def test_osrm_base_url_must_be_http() -> None:
    with pytest.raises(ValueError, match="http"):
        OsrmProvider("file:///etc")


# --- estimate and choice ------------------------------------------------------------------


def test_estimate_matches_road_leg_fuyang_to_shanghai() -> None:
    matrix = EstimateProvider().matrix([FUYANG, SHANGHAI])
    leg = road_leg(FUYANG.lat, FUYANG.lon, SHANGHAI.lat, SHANGHAI.lon)

    assert matrix.meters[0][1] == round(leg.distance_km * 1000)
    assert matrix.seconds[0][1] == math.ceil(leg.hours * 3600)
    assert leg.hours > 8  # about 730 km at 70 km/h: the two legal rests are in
    assert matrix.meters[1][0] == matrix.meters[0][1]
    assert matrix.seconds[1][0] == matrix.seconds[0][1]
    assert matrix.meters[0][0] == matrix.seconds[1][1] == 0


def test_estimate_is_symmetric_with_zero_diagonal_and_uses_its_parameters() -> None:
    points = [FUYANG, SHANGHAI, *POINTS[:3]]
    matrix = EstimateProvider().matrix(points)
    n = len(points)

    for i in range(n):
        assert matrix.meters[i][i] == matrix.seconds[i][i] == 0
        for j in range(n):
            assert matrix.meters[i][j] == matrix.meters[j][i]
            assert matrix.seconds[i][j] == matrix.seconds[j][i]
            if i != j:
                assert matrix.seconds[i][j] > 0

    slow = EstimateProvider(circuity=1.0, speed_kmh=35.0).matrix([FUYANG, SHANGHAI])
    leg = road_leg(FUYANG.lat, FUYANG.lon, SHANGHAI.lat, SHANGHAI.lon, 1.0, 35.0)
    assert slow.meters[0][1] == round(leg.distance_km * 1000) < matrix.meters[0][1]
    assert slow.seconds[0][1] == math.ceil(leg.hours * 3600) > matrix.seconds[0][1]


def test_provider_from_url_chooses_the_provider() -> None:
    for nothing in (None, "", "  "):
        provider = provider_from_url(nothing)
        assert isinstance(provider, EstimateProvider)
        assert provider.name == "estimate"

    osrm = provider_from_url("http://osrm.internal:5000")
    assert isinstance(osrm, OsrmProvider)
    assert osrm.name == "osrm"
    assert osrm.base_url == "http://osrm.internal:5000"
    assert osrm.profile == "driving" and osrm.rest
