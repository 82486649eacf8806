"""A Flask hello-world app: the baseline bench/scan.py runs under the same gunicorn settings.

    gunicorn bench.hello_app:app   (run from the repository root)

What it costs to serve is gunicorn plus Flask's routing and response; anything the scan page
takes above that is the page's own work (queries, the scan insert, templates).
"""

from __future__ import annotations

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, World!"
