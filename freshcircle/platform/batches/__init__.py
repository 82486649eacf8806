"""Batches (lots): registering them, splits and merges, label runs and their jobs, the
承诺达标合格证, and the stock a listing may sell.
"""
