"""The mark of a demo database: seeded with sample data and its published demo password.

`flask seed-demo` writes the row when it seeds a database holding no real producers or
accounts; `make run` seeds again only a database that has it (or holds nothing real yet).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Mapped, mapped_column

from freshcircle.platform.models.base import Base, utcnow


class DemoDatabase(Base):
    __tablename__ = "demo_database"

    id: Mapped[int] = mapped_column(primary_key=True)
    marked_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
