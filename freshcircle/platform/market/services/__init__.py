"""Business rules of market. Services flush, never commit, and raise core.services.errors;
they do not touch flask.request or flask.g: the caller passes the acting user in.
"""

# Every process that loads the market watches its data for the browse page's cache.
from freshcircle.platform.market.services import browse_cache  # noqa: F401
