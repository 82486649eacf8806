"""The traceability record every other feature writes to: trace codes, EPCIS events and
their store, the lots each event names, and the lot links of the genealogy.
"""
