"""`/metrics`: the Prometheus text format, for the operators' Prometheus only.

Not public: without FRESHCIRCLE_METRICS_TOKEN the page does not exist (404); with it, a scrape
must send `Authorization: Bearer <token>` (else 401). Besides the process counters
(platform/metrics.py: request latency per endpoint, scans written, label run and dispatch plan
jobs) it reads, at scrape time and when Redis is configured, the scan stream's backlog and the
writer's lag, and the depth of the RQ queues.
"""

from __future__ import annotations

import hmac
import os
import time

from flask import Blueprint, Flask, abort, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from redis import Redis
from redis.exceptions import RedisError

from freshcircle.platform.metrics import REQUEST_SECONDS

bp = Blueprint("metrics", __name__)


class RedisCollector:
    """Gauges read from Redis when scraped: scans waiting for the writer, its lag, RQ queues."""

    def __init__(self, url: str):
        self.url = url

    def collect(self):
        from freshcircle.platform.batches.label_jobs import QUEUE as LABELS
        from freshcircle.platform.dispatch.jobs import QUEUE as DISPATCH
        from freshcircle.platform.ledger.services.subscription_delivery import QUEUE as EPCIS
        from freshcircle.platform.trace.services import scan_stream

        client = Redis.from_url(self.url, socket_timeout=1, socket_connect_timeout=1)
        try:
            waiting, lag = scan_stream.backlog(client)
            depths = {name: client.llen(f"rq:queue:{name}") for name in (DISPATCH, LABELS,
                                                                        EPCIS)}
        except RedisError:
            return
        finally:
            client.close()
        yield GaugeMetricFamily("freshcircle_scan_backlog", "Scans in the stream not yet "
                                "written to the database", value=waiting)
        yield GaugeMetricFamily("freshcircle_scan_writer_lag_seconds", "Age of the oldest "
                                "scan not yet written", value=lag)
        queues = GaugeMetricFamily("freshcircle_rq_queue_depth", "Jobs waiting in an RQ queue",
                                   labels=["queue"])
        for name, depth in depths.items():
            queues.add_metric([name], depth)
        yield queues


def _process_registry():
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return REGISTRY


@bp.get("/metrics")
def metrics():
    token = current_app.config.get("METRICS_TOKEN")
    if not token:
        abort(404)
    sent = request.headers.get("Authorization", "")
    if not hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
        response = current_app.response_class("401 Unauthorized\n", 401,
                                              mimetype="text/plain")
        response.headers["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    body = generate_latest(_process_registry())
    url = current_app.config.get("REDIS_URL")
    if url:
        extra = CollectorRegistry(auto_describe=False)
        extra.register(RedisCollector(url))
        body += generate_latest(extra)
    response = current_app.response_class(body, mimetype=CONTENT_TYPE_LATEST)
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)

    @app.before_request
    def _start_clock():
        g.metrics_started = time.perf_counter()

    @app.after_request
    def _observe(response):
        started = g.pop("metrics_started", None)
        if started is not None and request.endpoint != "metrics.metrics":
            REQUEST_SECONDS.labels(request.endpoint or "unmatched",
                                   request.method).observe(time.perf_counter() - started)
        return response
