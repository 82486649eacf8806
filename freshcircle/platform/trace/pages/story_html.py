"""The batch's story on the consumer page (everything below the verdict), rendered once per
batch, GTIN, language, China date and lot version, and kept in a small per-process cache
(trace/pages/consumer.py serves it; trace/services/consumer_story.py gathers it and says what
may be up to SCAN_STORY_CACHE_SECONDS old): the timeline of harvest, shipments and EPCIS events
with readable step names, the cold-chain charts and the journey map."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import NamedTuple

from flask import current_app, render_template
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from freshcircle.platform.core.services.clock import CHINA, today_in_china
from freshcircle.platform.extensions import db
from freshcircle.platform.security import csp_nonce
from freshcircle.platform.trace.pages import scan_front
from freshcircle.platform.trace.pages.chart import cold_chain_svg
from freshcircle.platform.trace.pages.journey import journey_map
from freshcircle.platform.trace.services import consumer_story
from freshcircle.platform.trace.services.consumer_story import Resolution, StoryCache

STORY_CACHE_SIZE = 128  # rendered stories of about 30 KB: a few MB per process at most
SERIAL_SLOT = "<!--serial-slot-->"  # where trace/_story.html leaves room for the pack serial
BIZ_STEPS = {
    "harvesting": _l("Harvested"),
    "cooling": _l("Cooled"),
    "inspecting": _l("Inspected"),
    "packing": _l("Packed"),
    "commissioning": _l("Labelled"),
    "storing": _l("Stored"),
    "loading": _l("Loaded"),
    "shipping": _l("Shipped"),
    "receiving": _l("Received"),
    "retail_selling": _l("On sale"),
    "holding": _l("Held"),
    "repackaging": _l("Repacked into a new lot"),
}
# CBV has no recalling step and one inspecting step for pass and fail: the disposition says.
BY_DISPOSITION = {
    ("holding", "recalled"): _l("Recalled"),
    ("inspecting", "non_conformant"): _l("Inspected: not conformant"),
}


def _last_word(value: str | None) -> str:
    word = (value or "").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    return word.removeprefix("BizStep-").removeprefix("Disp-")


def event_step(event) -> str:
    """A readable name for an EPCIS event's business step (CBV URI or bare word), told apart
    by its disposition where the step alone is ambiguous (a recall, a failed inspection)."""
    step = _last_word(event.biz_step)
    if any(key[0] == step for key in BY_DISPOSITION):
        try:
            disposition = _last_word(json.loads(event.body).get("disposition"))
        except (ValueError, AttributeError):
            disposition = ""
        if (step, disposition) in BY_DISPOSITION:
            return str(BY_DISPOSITION[(step, disposition)])
    return str(BIZ_STEPS.get(step, step or event.event_type))


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    kind: str  # "harvest", "leg" or "event"
    item: object = None


def _timeline(story) -> list[TimelineEntry]:
    """Harvest, shipments and recorded EPCIS events in one list, oldest first."""
    harvest = dt.datetime.combine(story.batch.harvest_date, dt.time(), CHINA)
    harvested = [event for event in story.events
                 if (event.biz_step or "").endswith("harvesting")]
    # The harvest row stands for the harvesting event: it says so when that was corrected.
    entries = [TimelineEntry(harvest, "harvest", harvested[-1] if harvested else None)]
    entries += [TimelineEntry(leg.departed or leg.shipment.planned_departure, "leg", leg)
                for leg in story.legs]
    entries += [TimelineEntry(event.event_time, "event", event) for event in story.events
                if not (event.biz_step or "").endswith("harvesting")]
    return sorted(entries, key=lambda entry: entry.at)


class StoryHtml(NamedTuple):
    """A rendered story, split where the page puts the pack's serial."""

    head: Markup
    tail: Markup


def story_cache(app=None) -> StoryCache:
    """This app's cache of rendered stories in this process (tests clear it or move its clock)."""
    extensions = (app or current_app).extensions
    cache = extensions.get("scan_story_cache")
    if cache is None:
        cache = extensions.setdefault("scan_story_cache", StoryCache(STORY_CACHE_SIZE))
    return cache


def story_html(resolution: Resolution, now: dt.datetime, version: int | None) -> StoryHtml:
    """The batch's story as HTML: from the cache, or gathered (eight queries) and rendered."""
    config = current_app.config
    batch, gtin = resolution.batch, resolution.link.gtin
    today = today_in_china(now)
    # Everything the verdict and banner depend on is in the key (status, status_reason,
    # updated_at), and everything the fragment depends on but the key does not hold may be
    # up to `ttl` seconds old (trace/services/consumer_story.py lists it), unless the lot's
    # `version` (from Redis, trace/services/lot_versions.py) is known: then it is current.
    key = (batch.id, batch.status, batch.status_reason, batch.updated_at, gtin,
           str(get_locale()), today, version)
    ttl = float(config.get("SCAN_STORY_CACHE_SECONDS", 30))
    cache = story_cache()
    fragment = cache.get(key, ttl)
    if fragment is not None:
        return fragment
    story = consumer_story.batch_story(db.session, batch, resolution.product, gtin,
                                       today=today, now=now)
    charts = {
        leg.shipment.id: cold_chain_svg(
            leg.cold_chain, readings_label=_("Temperature"),
            band_label=_("Allowed range"), excursion_label=_("Outside the range"),
        )
        for leg in story.legs
    }
    html = render_template("trace/_story.html", story=story, product=resolution.product,
                           charts=charts, event_step=event_step, timeline=_timeline(story),
                           journey_map=journey_map(story))
    # A nonce is this response's alone: the kept story has a slot for the next one's.
    html = html.replace(csp_nonce(), scan_front.NONCE_SLOT)
    head, slot, tail = html.partition(SERIAL_SLOT)
    assert slot, "trace/_story.html has no serial slot"
    fragment = StoryHtml(Markup(head), Markup(tail))
    cache.put(key, fragment, ttl)
    return fragment
