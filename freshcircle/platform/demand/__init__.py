"""Standing demand (求购): buyers post weekly needs; producers who can supply them are matched,
told in their notices, and answer with a quote (询价/报价).
"""
