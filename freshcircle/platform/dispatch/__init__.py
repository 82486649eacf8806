"""The cold chain: shipments and their lines, who may see them, temperature readings,
logger uploads and alerts, the reefer fleet, dispatch plans (problem, background jobs) and
the shelf-life view; pages for carriers, drivers, the fleet and dispatch.
"""
