"""Supply forecasting, a pure library: what plantings will yield, week by week.

Takes plantings and past outcomes (planned against actual yield) as dataclasses and plain
values, returns weekly supply with a band. No Flask, no database (an import-linter contract
keeps it so): the platform's plantings feature feeds it from its tables, and bench/forecast.py
backtests it on a synthetic history.

- `yield_record`: what each producer's past says about its plans (a correction per producer,
  one per season update such as "poor"), shrunk towards the pool when the record is short.
- `error_band`: the band from past errors of the corrected forecast (10th-90th percentile).
- `weekly_supply`: plantings spread over their harvest windows, summed per product, county
  and week, corrected and banded.
"""
