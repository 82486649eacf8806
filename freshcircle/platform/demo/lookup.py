"""How seeding finds the sample records it made: by stable keys, never by names users edit.

Sample producers and places carry the demo content's key (`demo_key`); a co-op that renamed
itself, or renamed its cold store, is still found, so re-seeding adds nothing twice.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from freshcircle.platform.demo import content as c
from freshcircle.platform.demo.identities import credit_code
from freshcircle.platform.models import Place, Producer


def find_producer(session: Session, spec: c.ProducerSpec) -> Producer | None:
    """The sample producer made from `spec`, by its demo key. An earlier version of the demo
    stored none: then a co-op by the credit code it was given, a family farm by its name, and
    the key is set."""
    producer = session.scalar(select(Producer).where(Producer.demo_key == spec.key))
    if producer is None:
        code = credit_code(spec)
        producer = session.scalar(select(Producer).where(
            Producer.is_sample, Producer.demo_key.is_(None),
            Producer.credit_code == code if code else Producer.name == spec.full_name))
        if producer is not None:
            producer.demo_key = spec.key
    return producer


def find_place(session: Session, spec: c.PlaceSpec) -> Place | None:
    """The sample place made from `spec`, by its demo key (its English name in the content);
    an earlier version of the demo stored none: then by that name, and the key is set."""
    place = session.scalar(select(Place).where(Place.demo_key == spec.name_en))
    if place is None:
        place = session.scalar(select(Place).where(
            Place.demo_key.is_(None), Place.name_en == spec.name_en))
        if place is not None:
            place.demo_key = spec.name_en
    return place
