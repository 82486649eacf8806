"""Pages link versioned static files that phones may cache for a year."""

from __future__ import annotations

import re


def test_stylesheet_url_carries_content_hash_and_long_cache(client):
    page = client.get("/login").get_data(as_text=True)
    match = re.search(r'href="(/static/app\.css\?v=[0-9a-f]{12})"', page)
    assert match, "the stylesheet link has no version"
    with client.get(match.group(1)) as css:
        assert css.status_code == 200
        assert "max-age=31536000" in css.headers["Cache-Control"]
