"""Producers (family farms, cooperatives) and their farm records: the safety interval,
certifications, inputs (pesticide and fertiliser applications) and residue tests.
"""
