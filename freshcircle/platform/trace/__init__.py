"""What a scan and an inspector see: the consumer story and its verdict, scans, the lot
trace, recalls, FSMA 204 records and their export; the consumer page and GS1 resolver,
its chart, and the inspector's pages.
"""
