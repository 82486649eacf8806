"""Plantings (种植计划): what producers grow on their plots, how the season goes, and the supply
forecast built from them for buyers and the public showcase.
"""
