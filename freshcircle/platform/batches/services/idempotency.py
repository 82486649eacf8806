"""Idempotent batch registration: a key may be replayed only with the request that used it."""

from __future__ import annotations

import hashlib
import json

from flask_babel import lazy_gettext as _l

from freshcircle.platform.core.services.errors import Conflict
from freshcircle.platform.models import Batch


class IdempotencyKeyReused(Conflict):
    """The key already registered a batch from a different request; `existing` is that batch."""

    def __init__(self, existing: Batch):
        super().__init__(
            _l("This idempotency key already registered another batch (%(lot)s); "
               "send a new key for a new batch.", lot=existing.lot_code),
            errors={"idempotency_key": [_l("Already used for a different request.")]},
        )
        self.existing = existing


def request_hash(data: dict) -> str:
    """A fingerprint of a create request, without its key: same request, same hash.

    The confirmation of a harvest inside an interval is not part of what was harvested.
    """
    meaning = {name: str(value) for name, value in sorted(data.items())
               if name not in ("idempotency_key", "confirm_in_interval")
               and value is not None and value != ""}
    return hashlib.sha256(json.dumps(meaning, sort_keys=True).encode()).hexdigest()
