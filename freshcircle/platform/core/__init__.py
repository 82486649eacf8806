"""What every feature stands on: the clock, errors, access rules, quantities and money,
identifiers, mail, uploaded files, the product catalog, places, notices, reference data,
accounts and buyer accounts; and their pages (sign-in, home, account, admin) and API.
"""
