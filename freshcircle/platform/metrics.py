"""What FreshCircle counts for Prometheus (prometheus-client); served by web/metrics.py.

Counters and histograms live in each process. Under gunicorn with several workers set
PROMETHEUS_MULTIPROC_DIR (an empty directory; gunicorn_conf.py clears it at start and marks a
worker's files dead when it exits) and /metrics adds up every worker's values.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

REQUEST_SECONDS = Histogram(
    "freshcircle_request_seconds", "Time to answer a request, by endpoint",
    ["endpoint", "method"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
SCANS_WRITTEN = Counter(
    "freshcircle_scans_written", "Consumer scans stored in the database",
    ["by"])  # by: "page" (written by the page itself) or "writer" (flask scan-writer)
LABEL_RUNS = Counter("freshcircle_label_run_jobs", "Label run jobs finished", ["outcome"])
DISPATCH_PLANS = Counter("freshcircle_dispatch_plan_jobs", "Dispatch plan jobs finished",
                         ["outcome"])
