"""Forward contracts (订单农业): a buyer and a producer agree ahead of the harvest what will be
delivered each week, at what price, grown on which plantings; the harvest then flows into
ordinary market orders, shortfalls are declared early, and fulfilment is reported.
"""
