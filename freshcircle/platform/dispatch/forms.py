"""Forms of the carrier's pages: a shipment's status change."""

from __future__ import annotations

from wtforms import HiddenField

from freshcircle.platform.models import ShipmentStatus
from freshcircle.platform.web.forms import Form, required


class ShipmentStatusForm(Form):
    status = HiddenField(validators=[required()])

    def target(self) -> ShipmentStatus | None:
        """The status asked for, if it is one."""
        valid = self.status.data in set(ShipmentStatus)
        return ShipmentStatus(self.status.data) if valid else None
