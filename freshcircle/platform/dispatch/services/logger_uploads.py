"""A logger's CSV export uploaded for a shipment: parsed by `freshcircle.logistics.logger_csv`,
stored through the same idempotent ingest as JSON readings, all or nothing: a line whose
logger and time are stored with a different temperature is refused, named by its number.

Every bad line is reported with its number, in the reader's language (a time in the future
too: a logger clock or time zone set wrong); nothing is stored unless the whole file reads.
Files of more than MAX_READINGS rows go in one transaction (inserted in chunks; the JSON
endpoint's 5,000 limit is per request body, not per logger file).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from freshcircle.logistics.logger_csv import parse
from freshcircle.platform.core.services.errors import InvalidInput
from freshcircle.platform.dispatch.services import temperatures
from freshcircle.platform.models import Shipment, User, utcnow

MAX_ROWS = 100_000
PROBLEMS = {
    "header": _l("no header with a time column and a temperature column"),
    "empty": _l("no readings after the header"),
    "time": _l("the time cannot be read"),
    "number": _l("the temperature is not a number"),
    "range": _l("the temperature is outside -60 to 80 °C"),
    "future": _l("the time is in the future (check the logger's clock and time zone)"),
}
SHOWN_ERRORS = 50


def ingest_csv(session: Session, actor: User, shipment: Shipment, data: bytes,
               sensor_id: str) -> temperatures.IngestResult:
    parsed = parse(data)
    if parsed.ok:  # the API refuses future times too, but cannot name the file's lines
        latest = utcnow() + temperatures.CLOCK_SKEW
        parsed.errors += [(r.line, "future", "") for r in parsed.readings
                          if r.recorded_at > latest]
    if parsed.errors:
        lines = [str(_l("Line %(line)d: %(problem)s", line=line, problem=PROBLEMS[code]))
                 for line, code, _ in parsed.errors[:SHOWN_ERRORS]]
        if len(parsed.errors) > SHOWN_ERRORS:
            lines.append(str(_l("… and %(n)d more lines.", n=len(parsed.errors) - SHOWN_ERRORS)))
        raise InvalidInput(_l("The file was not loaded; fix these lines and upload it again."),
                           errors={"file": lines})
    if len(parsed.readings) > MAX_ROWS:
        raise InvalidInput.field("file", _l("At most 100,000 readings per file."))
    temperatures.check_recorder(session, actor, shipment)
    readings = [{"sensor_id": sensor_id, "recorded_at": r.recorded_at, "celsius": r.celsius}
                for r in parsed.readings]
    try:
        return temperatures.store_readings(session, shipment, readings)
    except temperatures.ConflictingReadings as error:
        lines = [str(_l("Line %(line)d: %(problem)s", line=parsed.readings[c.index].line,
                        problem=temperatures.conflict_message(c)))
                 for c in error.conflicts[:SHOWN_ERRORS]]
        if len(error.conflicts) > SHOWN_ERRORS:
            lines.append(str(_l("… and %(n)d more lines.",
                                n=len(error.conflicts) - SHOWN_ERRORS)))
        raise InvalidInput(_l("The file was not loaded; fix these lines and upload it again."),
                           errors={"file": lines}) from None
