"""Who may call what: the one table the authorisation matrix checks the app against.

RULES maps every operation ("METHOD /path" as the OpenAPI document or the URL map spells it)
to a named rule in KINDS. A new endpoint needs one line here; the matrix says which.

A rule names who may (tokens below) and how everyone else is refused:
  public     anyone, signed in or not
  signed-in  every signed-in role, whoever's record it is
  member     the farmer, co-op manager and co-op member - of the record's own producer
  manager    the farmer and the co-op manager - of the record's own producer
  producer   the farmer, co-op manager and co-op member, whatever producer (lists are filtered)
  buyer      the buyer - of their own records (order, cart, site, quote request)
  shopper    the buyer, whatever producer's listing
  carrier    the carrier - of the shipments they drive
  carriers   the carrier, whatever they name (lists filtered to what they carry)
  self       the signed-in person's own record (API token, notice)
  inspector, admin   staff, for every tenant
  credentials  anyone may try; the wrong credentials the matrix sends answer 401
`cross` is the answer when a role the rule names reaches for another tenant's record, `refused`
the answer for a role it does not name (`but` gives some roles another code). Where a rule has
`sees`, a caller who may not even see the record (by those tokens) is told it does not exist
(404) and `refused` is for those who see it but may not act. Anonymous callers get 401 from the
API and the sign-in page (302 to /login) from the pages.
"""

from __future__ import annotations

from dataclasses import dataclass, field

OWN_SCOPED = {"member", "manager", "buyer", "carrier", "self"}
TOKENS = {
    "farmer": {"member", "manager", "producer", "self"},
    "coop_manager": {"member", "manager", "producer", "self"},
    "coop_member": {"member", "producer", "self"},
    "buyer": {"buyer", "shopper", "self"},
    "carrier": {"carrier", "carriers", "self"},
    "inspector": {"inspector", "self"},
    "admin": {"admin", "self"},
}
ALLOW, LOGIN = "allow", "login"


@dataclass(frozen=True)
class Rule:
    may: frozenset[str]
    cross: int = 403
    refused: int = 403
    but: dict[str, int] = field(default_factory=dict)
    sees: frozenset[str] = frozenset()


def rule(may: str, cross: int = 403, refused: int = 403, sees: str = "", **but: int) -> Rule:
    return Rule(frozenset(may.split()), cross, refused, but, frozenset(sees.split()))


ORDER_PARTIES = "member buyer inspector admin"


KINDS = {
    "public": rule("public"),
    "sign-in": rule("credentials"),
    # No account: only the operators' scrape token (FRESHCIRCLE_METRICS_TOKEN; unset, 404).
    "scrape-token": rule("nobody", refused=404),
    "signed-in": rule("signed-in"),
    # A producer's internal records (batches, inputs, tests, files, plots, label runs).
    "farm-records": rule("member inspector admin"),
    "farm-write": rule("member admin"),
    "farm-manage": rule("manager admin"),
    # Lists every producer role may ask for, filtered to what the caller may see.
    "producer-lists": rule("producer inspector admin"),
    "producer-pages": rule("producer"),
    "producer-or-admin": rule("producer admin"),
    "producer-buyer-staff": rule("producer shopper inspector admin"),
    "staff": rule("inspector admin"),
    "admin": rule("admin"),
    # Orders: a stranger to the order is told it does not exist.
    "order-party": rule("member buyer inspector admin", cross=404, refused=404),
    "order-seller": rule("member admin", cross=404),  # pages: the role first, then the order
    "order-seller-api": rule("member admin", cross=404, sees=ORDER_PARTIES),
    "order-buyer-api": rule("buyer", cross=404, sees=ORDER_PARTIES),
    "dispute-reply": rule("member", cross=404, sees=ORDER_PARTIES),
    "dispute-close": rule("buyer admin", cross=404, sees=ORDER_PARTIES),
    "buyer": rule("buyer"),
    "buyer-own": rule("buyer", cross=404),
    "buyer-shop": rule("shopper"),
    # A buyer naming another buyer's delivery site: a field error, nothing written.
    "buyer-site": rule("buyer", cross=422),
    "quote-request": rule("producer buyer admin", cross=404, refused=404),
    # Any producer may quote on an open request, from its own listing only: naming another
    # tenant's listing is a field error (422), nothing written.
    "quote-answer": rule("member", cross=422, sees="producer buyer admin"),
    # Standing demand (求购): its buyer, the members of a producer matched to it, admins; to
    # anyone else it does not exist. Only the buyer re-matches or closes it; only a matched
    # producer asks to quote on it.
    "demand": rule("member buyer admin", cross=404, refused=404),
    "demand-page": rule("member buyer admin", cross=404),
    "demand-owner": rule("buyer admin", cross=404, sees="member buyer admin"),
    "demand-owner-page": rule("buyer admin", cross=404),
    "demand-quote": rule("member", cross=404, sees="member buyer admin"),
    "demand-quote-page": rule("member", cross=404),
    # Forward contracts (订单农业): its buyer and its producer's members, staff reading, as with
    # orders; to anyone else it does not exist. Either party changes or confirms it, only the
    # producer offers or declares a shortfall, only the buyer answers one or releases it.
    "contract-party": rule("member buyer admin", cross=404, sees=ORDER_PARTIES),
    "contract-seller": rule("member admin", cross=404, sees=ORDER_PARTIES),
    "contract-buyer": rule("buyer admin", cross=404, sees=ORDER_PARTIES),
    # A buyer may propose to any producer; a producer's member for their own producer only.
    "contract-propose": rule("shopper member admin"),
    "contract-propose-page": rule("producer shopper"),
    "contract-page": rule("member buyer inspector admin", cross=404),
    "contract-party-page": rule("member buyer admin", cross=404),
    "contract-seller-page": rule("member admin", cross=404),
    "contract-buyer-page": rule("buyer admin", cross=404),
    "shipment-party": rule("member carrier inspector admin"),
    "shipment-update": rule("member carrier admin"),
    "shipment-lists": rule("producer carriers inspector admin"),
    "carrier": rule("carrier"),
    "carrier-own": rule("carrier"),
    "fleet-api": rule("manager admin", cross=404, refused=404),
    "fleet-page": rule("manager admin", cross=404, coop_member=404),
    # The plan form sends a refused caller back to it with the reason (302), writing nothing.
    "dispatch-page": rule("manager admin", cross=302, coop_member=302),
    "hold-release": rule("inspector admin"),
    # A page form naming a producer offers the caller's own only: another is a field error.
    "farm-form": rule("member admin", cross=422),
    "member-form": rule("member", cross=422),
    "own-token": rule("self admin"),
    "own-notice": rule("self", cross=404),
    # A photo upload in parts is its sender's alone: anyone else is told it does not exist.
    "own-upload": rule("self", cross=404),
    "sales-report": rule("member admin"),  # of the producer named
    "epcis-read": rule("producer carriers inspector admin"),
    # Listings with delivery estimates to a site: the buyer's own site, else a field error.
    "listings-for-site": rule("buyer", cross=422, refused=422),
    # Events about a lot: its producer's members, the carrier who carries it, staff.
    "epcis-capture": rule("member carrier inspector admin"),
    # One event by its eventID: another side's looks the same as one that does not exist.
    "epcis-event": rule("member carrier inspector admin", cross=404),
    # A capture job: the one who sent it (the side's manager) and staff; to anyone else who
    # may capture, one that does not exist.
    "capture-job": rule("manager inspector admin", cross=404, refused=404, buyer=403),
    # EPCIS named queries and their subscriptions are their creator's alone (whoever may sign
    # in may keep some; what they answer is what the owner may see): another's is a name the
    # caller has not, 404.
    "own-query": rule("self", cross=404),
}

RULES: dict[str, str] = {
    # --- API: accounts, reference data, notices
    "POST /api/v1/tokens": "sign-in",
    "GET /api/v1/tokens": "signed-in",
    "DELETE /api/v1/tokens/{token_id}": "own-token",
    "GET /api/v1/notices": "signed-in",
    "GET /api/v1/offline/snapshot": "producer-pages",  # the farm member's own records
    "POST /api/v1/notices/{notice_id}/read": "own-notice",
    "GET /api/v1/products": "signed-in",
    "GET /api/v1/products/{product_id}": "signed-in",
    "GET /api/v1/places": "signed-in",
    "POST /api/v1/places": "farm-manage",
    "GET /api/v1/places/{place_id}": "signed-in",
    "PATCH /api/v1/places/{place_id}": "farm-manage",
    "POST /api/v1/files": "farm-write",
    "GET /api/v1/files/{file_id}/content": "farm-records",
    "GET /api/v1/account": "buyer",
    "PUT /api/v1/account": "buyer",
    "GET /api/v1/account/sites": "buyer",
    "POST /api/v1/account/sites": "buyer",
    "PATCH /api/v1/account/sites/{site_id}": "buyer-own",
    # --- API: producers and farm records
    "GET /api/v1/producers": "signed-in",
    "POST /api/v1/producers": "producer-or-admin",
    "GET /api/v1/producers/{producer_id}": "signed-in",
    "PATCH /api/v1/producers/{producer_id}": "farm-manage",
    "POST /api/v1/producers/{producer_id}/members": "farm-manage",
    "DELETE /api/v1/producers/{producer_id}/members/{user_id}": "farm-manage",
    "GET /api/v1/producers/{producer_id}/plots": "farm-records",
    "POST /api/v1/producers/{producer_id}/plots": "farm-write",
    "GET /api/v1/producers/{producer_id}/plots/{plot_id}": "farm-records",
    "PATCH /api/v1/producers/{producer_id}/plots/{plot_id}": "farm-write",
    "GET /api/v1/producers/{producer_id}/plantings": "farm-records",
    "POST /api/v1/producers/{producer_id}/plantings": "farm-write",
    "GET /api/v1/plantings/{planting_id}": "farm-records",
    "PATCH /api/v1/plantings/{planting_id}": "farm-write",
    "POST /api/v1/plantings/{planting_id}/updates": "farm-write",
    "GET /api/v1/supply-forecast": "signed-in",  # aggregates only, no producer named
    "GET /api/v1/producers/{producer_id}/ratings": "signed-in",
    "GET /api/v1/inputs": "producer-lists",
    "POST /api/v1/inputs": "farm-write",
    "GET /api/v1/inputs/{input_id}": "farm-records",
    "PATCH /api/v1/inputs/{input_id}": "farm-write",
    "GET /api/v1/tests": "producer-lists",
    "POST /api/v1/tests": "farm-records",  # inspectors record tests too
    "GET /api/v1/tests/{test_id}": "farm-records",
    "PATCH /api/v1/tests/{test_id}": "farm-manage",  # its author or a manager
    "GET /api/v1/certifications": "producer-lists",
    "POST /api/v1/certifications": "farm-write",
    "GET /api/v1/certifications/{cert_id}": "farm-records",
    "PATCH /api/v1/certifications/{cert_id}": "farm-write",
    # --- API: batches, labels, lots, records
    "GET /api/v1/batches": "producer-lists",
    "POST /api/v1/batches": "farm-write",
    "GET /api/v1/batches/{batch_id}": "farm-records",
    "PATCH /api/v1/batches/{batch_id}": "farm-write",
    "POST /api/v1/batches/{batch_id}/status": "hold-release",
    "POST /api/v1/batches/{batch_id}/photos": "farm-write",
    "POST /api/v1/batches/{batch_id}/photo-uploads": "farm-write",
    "GET /api/v1/photo-uploads/{upload_id}": "own-upload",
    "PATCH /api/v1/photo-uploads/{upload_id}": "own-upload",
    "GET /api/v1/batches/{batch_id}/certificate": "farm-records",
    "POST /api/v1/batches/{batch_id}/labels": "farm-write",
    "GET /api/v1/batches/{batch_id}/labels": "farm-records",
    "GET /api/v1/label-runs/{run_id}": "farm-records",
    "GET /api/v1/label-runs/{run_id}/pdf": "farm-records",
    "POST /api/v1/batches/{batch_id}/split": "farm-write",
    "POST /api/v1/batches/merge": "farm-write",
    "GET /api/v1/batches/{batch_id}/trace": "staff",
    "GET /api/v1/batches/{batch_id}/records": "staff",
    "GET /api/v1/records": "epcis-read",  # the events the caller may see
    "POST /api/v1/epcis/capture": "epcis-capture",
    "GET /api/v1/epcis/events": "epcis-read",
    "GET /api/v1/epcis/events/{event_id}": "epcis-event",
    # The binding's collections: /events with one filter, the same visibility.
    "GET /api/v1/epcis/eventTypes": "epcis-read",
    "GET /api/v1/epcis/eventTypes/{event_type}/events": "epcis-read",
    "GET /api/v1/epcis/epcs/{epc}/events": "epcis-read",
    "GET /api/v1/epcis/bizSteps/{biz_step}/events": "epcis-read",
    "GET /api/v1/epcis/bizLocations/{biz_location}/events": "epcis-read",
    "GET /api/v1/epcis/readPoints/{read_point}/events": "epcis-read",
    "GET /api/v1/epcis/dispositions/{disposition}/events": "epcis-read",
    # Top-level collections: the values of the caller's events (none: an empty list).
    "GET /api/v1/epcis/epcs": "epcis-read",
    "GET /api/v1/epcis/bizSteps": "epcis-read",
    "GET /api/v1/epcis/bizLocations": "epcis-read",
    "GET /api/v1/epcis/readPoints": "epcis-read",
    "GET /api/v1/epcis/dispositions": "epcis-read",
    # A value's sub-resources (`events`): 404 where none of the caller's events has it.
    "GET /api/v1/epcis/eventTypes/{event_type}": "epcis-read",
    "GET /api/v1/epcis/epcs/{epc}": "epcis-read",
    "GET /api/v1/epcis/bizSteps/{biz_step}": "epcis-read",
    "GET /api/v1/epcis/bizLocations/{biz_location}": "epcis-read",
    "GET /api/v1/epcis/readPoints/{read_point}": "epcis-read",
    "GET /api/v1/epcis/dispositions/{disposition}": "epcis-read",
    "GET /api/v1/epcis/capture": "epcis-read",  # the caller's own jobs
    "GET /api/v1/epcis/capture/{capture_id}": "capture-job",
    "POST /api/v1/epcis/queries": "signed-in",  # the caller's own query
    "GET /api/v1/epcis/queries": "signed-in",  # the caller's own
    "GET /api/v1/epcis/queries/{query_name}": "own-query",
    "DELETE /api/v1/epcis/queries/{query_name}": "own-query",
    "GET /api/v1/epcis/queries/{query_name}/events": "own-query",
    "POST /api/v1/epcis/queries/{query_name}/subscriptions": "own-query",
    "GET /api/v1/epcis/queries/{query_name}/subscriptions": "own-query",
    "GET /api/v1/epcis/queries/{query_name}/subscriptions/{subscription_id}": "own-query",
    "DELETE /api/v1/epcis/queries/{query_name}/subscriptions/{subscription_id}": "own-query",
    # --- API: market
    "GET /api/v1/listings": "listings-for-site",  # probed with ?site_id=
    "GET /api/v1/listings/{listing_id}": "signed-in",
    "POST /api/v1/batches/{batch_id}/listing": "farm-write",
    "PATCH /api/v1/listings/{listing_id}": "farm-write",
    "POST /api/v1/listings/{listing_id}/status": "farm-write",  # closing: producers only
    "GET /api/v1/cart": "buyer",
    "POST /api/v1/cart/lines": "buyer-shop",
    "PUT /api/v1/cart/lines/{listing_id}": "buyer-own",
    "DELETE /api/v1/cart/lines/{listing_id}": "buyer-own",
    "POST /api/v1/orders/preview": "buyer-site",
    "POST /api/v1/orders": "buyer-site",
    "GET /api/v1/orders": "producer-buyer-staff",
    "GET /api/v1/orders/{order_id}": "order-party",
    "PUT /api/v1/orders/{order_id}/lines/{listing_id}": "buyer-own",
    "POST /api/v1/orders/{order_id}/status": "order-seller-api",
    "POST /api/v1/orders/{order_id}/decline": "order-seller-api",
    "GET /api/v1/orders/{order_id}/invoice": "order-party",
    "GET /api/v1/orders/{order_id}/packing-list": "order-party",
    "POST /api/v1/orders/{order_id}/rating": "order-buyer-api",
    "POST /api/v1/orders/{order_id}/disputes": "order-buyer-api",
    "GET /api/v1/disputes/{dispute_id}": "order-party",
    "GET /api/v1/disputes/{dispute_id}/photo": "order-party",
    "POST /api/v1/disputes/{dispute_id}/reply": "dispute-reply",
    "POST /api/v1/disputes/{dispute_id}/close": "dispute-close",
    "POST /api/v1/quote-requests": "buyer-site",
    "GET /api/v1/quote-requests": "signed-in",
    "GET /api/v1/quote-requests/{request_id}": "quote-request",
    "POST /api/v1/quote-requests/{request_id}/quotes": "quote-answer",
    "POST /api/v1/quotes/{quote_id}/accept": "buyer-own",
    "GET /api/v1/demands": "signed-in",
    "POST /api/v1/demands": "buyer-site",
    "GET /api/v1/demands/{demand_id}": "demand",
    "POST /api/v1/demands/{demand_id}/rematch": "demand-owner",
    "POST /api/v1/demands/{demand_id}/close": "demand-owner",
    "POST /api/v1/demands/{demand_id}/quote-request": "demand-quote",
    "GET /api/v1/contracts": "signed-in",
    "POST /api/v1/contracts": "contract-propose",
    "GET /api/v1/contracts/fulfilment": "signed-in",
    "GET /api/v1/contracts/{contract_id}": "order-party",
    "PATCH /api/v1/contracts/{contract_id}": "contract-party",
    "POST /api/v1/contracts/{contract_id}/confirm": "contract-party",
    "POST /api/v1/contracts/{contract_id}/offer": "contract-seller",
    "POST /api/v1/contracts/{contract_id}/shortfalls": "contract-seller",
    "POST /api/v1/contracts/{contract_id}/release": "contract-buyer",
    "POST /api/v1/contract-shortfalls/{shortfall_id}/accept": "contract-buyer",
    "GET /api/v1/reports/sales": "sales-report",
    # --- API: shipments, temperatures, fleet, dispatch
    "GET /api/v1/shipments": "shipment-lists",
    "POST /api/v1/shipments": "farm-write",
    "GET /api/v1/shipments/{shipment_id}": "shipment-party",
    "PATCH /api/v1/shipments/{shipment_id}": "shipment-update",
    "POST /api/v1/shipments/{shipment_id}/lines": "farm-write",
    "DELETE /api/v1/shipments/{shipment_id}/lines/{line_id}": "farm-write",
    "POST /api/v1/shipments/{shipment_id}/status": "shipment-update",
    "GET /api/v1/shipments/{shipment_id}/temperatures": "shipment-party",
    "POST /api/v1/shipments/{shipment_id}/temperatures": "shipment-party",
    "POST /api/v1/shipments/{shipment_id}/temperatures/csv": "shipment-party",
    "GET /api/v1/shipments/{shipment_id}/alerts": "shipment-party",
    "POST /api/v1/shipments/{shipment_id}/alerts/{alert_id}/acknowledge": "shipment-party",
    "GET /api/v1/vehicles": "signed-in",
    "POST /api/v1/vehicles": "farm-manage",
    "GET /api/v1/vehicles/{vehicle_id}": "fleet-api",
    "PUT /api/v1/vehicles/{vehicle_id}": "fleet-api",
    "POST /api/v1/dispatch/plans": "farm-manage",
    "GET /api/v1/dispatch/plans/{plan_id}": "farm-manage",
    "POST /api/v1/dispatch/plans/{plan_id}/accept": "farm-manage",
    # --- pages: public and account
    "GET /": "public",  # visitors get the showcase 阜阳好物, each role its own start page
    "GET /haowu/": "public",
    "GET /haowu/counties/<county_code>": "public",
    "GET /haowu/brands/<brand>": "public",
    "GET /haowu/producers/<int:producer_id>": "public",
    "GET /login": "public",
    # The installable farmer app (web/offline.py): nothing in them is anyone's record.
    "GET /manifest.webmanifest": "public",
    "GET /offline": "public",
    "GET /sw.js": "public",
    # Load balancers' probes (web/health.py): "ok" or what failed, nothing else.
    "GET /healthz": "public",
    "GET /readyz": "public",
    # Prometheus (web/metrics.py): only with FRESHCIRCLE_METRICS_TOKEN, and that bearer token.
    "GET /metrics": "scrape-token",
    "POST /login": "sign-in",
    "POST /logout": "public",
    "GET /lang/<code>": "public",
    "GET /api/docs": "public",
    "GET /.well-known/gs1resolver": "public",
    "GET /01/<code_path:keys>": "public",
    "GET /trace/photos/<int:photo_id>": "public",
    "GET /account/first-password": "signed-in",
    "POST /account/first-password": "signed-in",
    "GET /notices": "signed-in",
    "POST /notices/read": "signed-in",
    "GET /account": "buyer",
    "POST /account": "buyer",
    "GET /account/sites/new": "buyer",
    "POST /account/sites/new": "buyer",
    "GET /account/sites/<int:site_id>": "buyer-own",
    "POST /account/sites/<int:site_id>": "buyer-own",
    "GET /admin/users": "admin",
    "GET /admin/users/<int:user_id>": "admin",
    "POST /admin/users/<int:user_id>/deactivate": "admin",
    "POST /admin/users/<int:user_id>/reactivate": "admin",
    "POST /admin/users/<int:user_id>/reset": "admin",
    "GET /admin/audit": "admin",
    "GET /account/password": "signed-in",
    "POST /account/password": "signed-in",
    "POST /producers/<int:producer_id>/members/<int:user_id>/remove": "farm-manage",
    "POST /producers/<int:producer_id>/members/<int:user_id>/reset": "farm-manage",
    "GET /admin/users/new": "admin",
    "POST /admin/users/new": "admin",
    "GET /admin/producers": "admin",
    "GET /admin/places": "admin",
    "GET /market/synonyms": "admin",
    "POST /market/synonyms": "admin",
    "POST /market/synonyms/<int:synonym_id>/delete": "admin",
    "GET /files/<int:file_id>": "farm-records",
    "GET /files/<int:file_id>/preview": "farm-records",
    "GET /files/<int:file_id>/thumb": "farm-records",
    # --- pages: producers and farm records
    "GET /producers/": "producer-pages",
    "GET /producers/new": "producer-or-admin",
    "POST /producers/new": "producer-or-admin",
    "GET /producers/<int:producer_id>": "farm-records",
    "POST /producers/<int:producer_id>/members": "farm-manage",
    "POST /producers/<int:producer_id>/service-phone": "farm-manage",
    "GET /producers/<int:producer_id>/plots": "farm-records",
    "GET /producers/<int:producer_id>/plantings": "farm-records",
    "GET /producers/<int:producer_id>/plantings/new": "farm-write",
    "POST /producers/<int:producer_id>/plantings/new": "farm-write",
    "GET /plantings/<int:planting_id>": "farm-records",
    "GET /plantings/<int:planting_id>/edit": "farm-write",
    "POST /plantings/<int:planting_id>/edit": "farm-write",
    "POST /plantings/<int:planting_id>/updates": "farm-write",
    "GET /forecast": "signed-in",
    "POST /producers/<int:producer_id>/plots": "farm-write",
    "GET /producers/<int:producer_id>/plots/<int:plot_id>/edit": "farm-write",
    "POST /producers/<int:producer_id>/plots/<int:plot_id>/edit": "farm-write",
    "GET /producers/<int:producer_id>/certifications/new": "farm-write",
    "POST /producers/<int:producer_id>/certifications/new": "farm-write",
    "GET /certifications/<int:cert_id>/edit": "farm-write",
    "POST /certifications/<int:cert_id>/edit": "farm-write",
    "GET /inputs": "producer-pages",
    "GET /inputs/new": "producer-pages",
    "POST /inputs/new": "member-form",
    # --- pages: batches, labels, lots
    "GET /batches/new": "producer-or-admin",
    "POST /batches/new": "farm-form",
    "GET /batches/<int:batch_id>": "farm-records",
    "POST /batches/<int:batch_id>/edit": "farm-write",
    "POST /batches/<int:batch_id>/status": "hold-release",
    "POST /batches/<int:batch_id>/photos": "farm-write",
    "GET /batches/<int:batch_id>/tests/new": "farm-records",
    "POST /batches/<int:batch_id>/tests/new": "farm-records",
    "GET /batches/<int:batch_id>/certificate.pdf": "farm-records",
    "POST /batches/<int:batch_id>/labels": "farm-write",
    "GET /label-runs/<int:run_id>": "farm-records",
    "GET /label-runs/<int:run_id>/labels.pdf": "farm-records",
    "GET /batches/<int:batch_id>/lots": "farm-write",
    "POST /batches/<int:batch_id>/split": "farm-write",
    "POST /batches/<int:batch_id>/merge": "farm-write",
    "GET /batches/<int:batch_id>/listing": "farm-write",
    "POST /batches/<int:batch_id>/listing": "farm-write",
    "POST /batches/<int:batch_id>/listing/status": "farm-write",
    # --- pages: inspector
    "GET /inspector/batches": "staff",
    "GET /inspector/batches/<int:batch_id>/trace": "staff",
    "GET /inspector/recalls": "staff",
    "GET /inspector/recalls/<int:record_id>": "staff",
    "GET /inspector/records": "staff",
    # --- pages: market, cart, orders, quotes, feedback, sales
    "GET /market": "producer-buyer-staff",
    "GET /market/listings/<int:listing_id>": "producer-buyer-staff",
    "GET /market/listings/<int:listing_id>/certificate.pdf": "producer-buyer-staff",
    "GET /cart": "buyer",
    "POST /cart/add": "buyer",
    "POST /cart/checkout": "buyer-site",
    "POST /cart/lines/<int:listing_id>": "buyer-own",
    "POST /cart/lines/<int:listing_id>/remove": "buyer-own",
    "GET /orders": "buyer",
    "GET /orders/<int:order_id>": "buyer-own",
    "POST /orders/<int:order_id>/cancel": "buyer-own",
    "POST /orders/<int:order_id>/lines/<int:listing_id>": "buyer-own",
    "POST /orders/<int:order_id>/received": "buyer-own",
    "GET /documents/orders/<int:order_id>/invoice.pdf": "order-party",
    "GET /quotes": "buyer",
    "GET /quotes/new": "buyer",
    "POST /quotes/new": "buyer-site",
    "POST /quotes/<int:quote_id>/accept": "buyer-own",
    "GET /quotes/open": "producer-pages",
    "GET /quotes/requests/<int:request_id>/answer": "producer-pages",
    "POST /quotes/requests/<int:request_id>/answer": "member-form",  # from its own listing
    "GET /demands": "buyer",
    "GET /demands/new": "buyer",
    "POST /demands/new": "buyer-site",
    "GET /demands/matched": "producer-pages",
    "GET /demands/<int:demand_id>": "demand-page",
    "POST /demands/<int:demand_id>/rematch": "demand-owner-page",
    "POST /demands/<int:demand_id>/close": "demand-owner-page",
    "POST /demands/<int:demand_id>/quote": "demand-quote-page",
    "GET /contracts": "producer-buyer-staff",
    "GET /contracts/new": "contract-propose-page",
    "POST /contracts/new": "contract-propose-page",
    "GET /contracts/report": "producer-buyer-staff",
    "GET /contracts/<int:contract_id>": "contract-page",
    "POST /contracts/<int:contract_id>/confirm": "contract-party-page",
    "GET /contracts/<int:contract_id>/edit": "contract-party-page",
    "POST /contracts/<int:contract_id>/edit": "contract-party-page",
    "POST /contracts/<int:contract_id>/offer": "contract-seller-page",
    "POST /contracts/<int:contract_id>/shortfalls": "contract-seller-page",
    "POST /contracts/<int:contract_id>/release": "contract-buyer-page",
    "POST /contracts/shortfalls/<int:shortfall_id>/accept": "contract-buyer-page",
    "GET /feedback/orders/<int:order_id>": "order-party",
    "POST /feedback/orders/<int:order_id>/rating": "order-buyer-api",
    "POST /feedback/orders/<int:order_id>/disputes": "order-buyer-api",
    "GET /feedback/disputes/<int:dispute_id>/photo": "order-party",
    "POST /feedback/disputes/<int:dispute_id>/reply": "dispute-reply",
    "POST /feedback/disputes/<int:dispute_id>/close": "dispute-close",
    "GET /sales": "producer-or-admin",
    "GET /sales/reports": "producer-or-admin",
    "GET /sales/<int:order_id>": "order-seller",
    "POST /sales/<int:order_id>/status": "order-seller",
    "POST /sales/<int:order_id>/decline": "order-seller",
    "GET /sales/<int:order_id>/invoice.pdf": "order-seller",
    "GET /sales/<int:order_id>/packing-list.pdf": "order-seller",
    "GET /sales/day/<day>/packing-list.pdf": "order-seller",
    # --- pages: carriers, fleet, dispatch
    "GET /carrier/shipments": "carrier",
    "POST /carrier/shipments/<int:shipment_id>/status": "carrier-own",
    "POST /carrier/shipments/<int:shipment_id>/temperatures": "carrier-own",
    "POST /carrier/shipments/<int:shipment_id>/alerts/<int:alert_id>": "carrier-own",
    "GET /driver": "carrier",
    "GET /fleet": "farm-manage",
    "GET /fleet/new": "farm-manage",
    "POST /fleet/new": "farm-manage",
    "GET /fleet/<int:vehicle_id>/edit": "fleet-page",
    "POST /fleet/<int:vehicle_id>/edit": "fleet-page",
    "GET /dispatch": "producer-or-admin",  # a member sees no cold store there
    "POST /dispatch/plans": "dispatch-page",
    "GET /dispatch/plans/<int:plan_id>": "farm-manage",
    "POST /dispatch/plans/<int:plan_id>/accept": "farm-manage",
    "GET /dispatch/plans/<int:plan_id>/run-sheets.pdf": "farm-manage",
    "GET /dispatch/plans/<int:plan_id>/plan.csv": "farm-manage",
}


# Cases that answer wrongly today, each fixed by another part of issue 14: strict xfail, so the
# line must go when the fix is merged. (role, scope) -> why.
_UNKNOWN = {op: name for op, name in RULES.items() if name not in KINDS}
assert not _UNKNOWN, f"RULES names rules that KINDS does not define: {_UNKNOWN}"

_OTHERS = [(role, "other") for role in TOKENS]
KNOWN_DEFECTS: dict[str, dict[tuple[str, str], str]] = {}


def expected(rule_name: str, role: str, scope: str, kind: str):
    """ALLOW, LOGIN (the sign-in redirect) or the exact refusal status for this case."""
    r = KINDS[rule_name]
    if "credentials" in r.may:
        return 401
    if "nobody" in r.may:  # no account opens it, signed in or not
        return r.refused
    if role in ("anonymous", "deactivated"):  # a deactivated user's cookie and token: nobody
        if "public" in r.may:
            return ALLOW
        return 401 if kind == "api" else LOGIN
    if r.may & {"public", "signed-in"}:
        return ALLOW
    mine = TOKENS[role] & r.may
    if mine - OWN_SCOPED:
        return ALLOW
    if mine:
        return ALLOW if scope == "own" else r.cross
    if role in r.but:
        return r.but[role]
    if r.sees:
        seen = TOKENS[role] & r.sees
        if not (seen - OWN_SCOPED or (seen and scope == "own")):
            return 404
    return r.refused
