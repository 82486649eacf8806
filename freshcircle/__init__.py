"""FreshCircle: produce supply chain for Fuyang and the Yangtze River Delta fresh-produce
logistics circle."""

__version__ = "0.1.0"
