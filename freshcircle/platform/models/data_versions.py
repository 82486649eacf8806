"""Data versions: a counter per kind of shared data, raised in the transaction that changes it.

A page that caches what many users see (the market's cards for one delivery site) keys the
cache by the version it read: a change commits with a new version, so the next page view
misses the cache and renders the data as committed.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from freshcircle.platform.models.base import Base


class DataVersion(Base):
    __tablename__ = "data_versions"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
