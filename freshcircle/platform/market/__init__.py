"""The marketplace: listings, browse and search, cart, quotes, orders and their events and
documents, feedback, sales reports, order cut-offs (their mail and CLI) and delivery.
"""
