"""What the authorisation matrix sends for each operation: which record a path parameter
means, a valid body or upload or query string, the 4xx an allowed caller may get, and the
operations probed as fewer roles. Operations not listed are sent with their path filled in and
no body."""

from __future__ import annotations

# Which record a path parameter means where the default (same name) is not the right one.
PARAM_ALIASES: dict[str, dict[str, str]] = {
    **{op: {"user_id": "member_user_id"} for op in (
        "DELETE /api/v1/producers/{producer_id}/members/{user_id}",
        "POST /producers/<int:producer_id>/members/<int:user_id>/remove",
        "POST /producers/<int:producer_id>/members/<int:user_id>/reset",
        "GET /admin/users/<int:user_id>",
        "POST /admin/users/<int:user_id>/deactivate",
        "POST /admin/users/<int:user_id>/reactivate",
        "POST /admin/users/<int:user_id>/reset")},
    "POST /api/v1/orders/{order_id}/rating": {"order_id": "delivered_order_id"},
    "POST /api/v1/orders/{order_id}/disputes": {"order_id": "delivered_order_id"},
    "POST /feedback/orders/<int:order_id>/rating": {"order_id": "delivered_order_id"},
    "POST /feedback/orders/<int:order_id>/disputes": {"order_id": "delivered_order_id"},
    "GET /feedback/orders/<int:order_id>": {"order_id": "delivered_order_id"},
    "POST /orders/<int:order_id>/received": {"order_id": "delivered_order_id"},
    "POST /api/v1/batches/{batch_id}/listing": {"batch_id": "spare_batch_id"},
}

# A valid body per write operation ("$name" is that record of the side probed; "$day+N" a
# date N days from today, "$now+1d" a time), so a refusal is the rule's, not the validator's.
BODIES: dict[str, dict | str] = {
    "POST /api/v1/batches/{batch_id}/photo-uploads": {
        "filename": "菜.jpg", "content_type": "image/jpeg", "size": 1000, "sha256": "0" * 64},
    "POST /api/v1/tokens": {"phone": "13912345678", "password": "wrong-horse-1", "name": "m"},
    "POST /api/v1/producers": {"kind": "family_farm", "name": "新农场", "county_code": "341222"},
    "PATCH /api/v1/producers/{producer_id}": {"township": "旧县镇"},
    "POST /api/v1/producers/{producer_id}/members": {"phone": "$recruit_phone"},
    "POST /api/v1/producers/{producer_id}/plots": {"name": "北地块"},
    "PATCH /api/v1/producers/{producer_id}/plots/{plot_id}": {"township": "旧县镇"},
    "POST /api/v1/producers/{producer_id}/plantings": {
        "plot_id": "$plot_id", "product_id": "$product_id", "area_mu": "1.5",
        "planted_on": "$day-30", "harvest_from": "$day+20", "harvest_to": "$day+40"},
    "PATCH /api/v1/plantings/{planting_id}": {"variety": "春棚"},
    "POST /api/v1/plantings/{planting_id}/updates": {"status": "poor", "reason": "干旱"},
    "POST /api/v1/batches": {"producer_id": "$producer_id", "product_id": "$product_id",
                             "plot_id": "$plot_id", "harvest_date": "$day-1", "quantity": 100,
                             "unit": "jin"},
    "PATCH /api/v1/batches/{batch_id}": {"grade": "一级"},
    "POST /api/v1/batches/{batch_id}/status": {"status": "held", "reason": "抽检"},
    "POST /api/v1/inputs": {"producer_id": "$producer_id", "kind": "pesticide",
                            "product_name": "阿维菌素", "dose": "30 mL/亩", "plot_id": "$plot_id",
                            "applied_on": "$day-3", "pre_harvest_interval_days": 7},
    "PATCH /api/v1/inputs/{input_id}": {"notes": "复查"},
    "POST /api/v1/tests": {"batch_id": "$batch_id", "method": "rapid", "result": "pass",
                           "tester": "自检", "tested_on": "$day-1"},
    "PATCH /api/v1/tests/{test_id}": {"tester": "复检"},
    "POST /api/v1/certifications": {"producer_id": "$producer_id", "kind": "organic",
                                    "number": "OC-2026-1", "issuer": "南京国环",
                                    "valid_from": "$day-30", "valid_to": "$day+300"},
    "PATCH /api/v1/certifications/{cert_id}": {"notes": "年审"},
    "POST /api/v1/places": {"name_zh": "新冷库", "kind": "cold_store", "latitude": 33.1,
                            "longitude": 115.6, "producer_id": "$producer_id"},
    "PATCH /api/v1/places/{place_id}": {"name_zh": "二号冷库"},
    "POST /api/v1/shipments": {"from_place_id": "$place_id", "to_place_id": "$site_id",
                               "carrier_id": "$carrier_id", "mode": "reefer_truck",
                               "temp_class": "chilled", "planned_departure": "$now+1d",
                               "planned_arrival": "$now+2d",
                               "lines": [{"batch_id": "$batch_id", "quantity": 5,
                                          "unit": "kg"}]},
    "PATCH /api/v1/shipments/{shipment_id}": {"vehicle_plate": "皖K99999"},
    "POST /api/v1/shipments/{shipment_id}/lines": {"batch_id": "$spare_batch_id",
                                                   "quantity": 5, "unit": "kg"},
    "POST /api/v1/shipments/{shipment_id}/status": {"status": "in_transit"},
    "POST /api/v1/shipments/{shipment_id}/temperatures": {
        "readings": [{"sensor_id": "T-9", "recorded_at": "$now-1h", "celsius": 3.5}]},
    "POST /api/v1/shipments/{shipment_id}/alerts/{alert_id}/acknowledge": {"comment": "已处理"},
    "POST /api/v1/batches/{batch_id}/labels": {"layout": "a4-24", "count": 2, "net_weight": 1,
                                               "unit": "jin"},
    "POST /api/v1/batches/{batch_id}/split": {"parts": [{"quantity": 10, "unit": "kg"}]},
    "POST /api/v1/batches/merge": {"inputs": [
        {"batch_id": "$batch_id", "quantity": 5, "unit": "kg"},
        {"batch_id": "$spare_batch_id", "quantity": 5, "unit": "kg"}]},
    "POST /api/v1/orders/preview": {"site_id": "$site_id", "lines": [
        {"listing_id": "$listing_id", "quantity": 10, "unit": "jin"}]},
    "POST /api/v1/orders": {"site_id": "$site_id", "lines": [
        {"listing_id": "$listing_id", "quantity": 10, "unit": "jin"}]},
    "PUT /api/v1/orders/{order_id}/lines/{listing_id}": {"quantity": 12, "unit": "jin"},
    "POST /api/v1/orders/{order_id}/status": {"status": "confirmed"},
    "POST /api/v1/orders/{order_id}/decline": {"reason": "缺货"},
    "POST /api/v1/batches/{batch_id}/listing": {"price": 3, "unit": "jin", "min_order": 10,
                                                "available_to": "$day+7"},
    "PATCH /api/v1/listings/{listing_id}": {"specification": "5斤/箱"},
    "POST /api/v1/listings/{listing_id}/status": {"status": "closed"},
    "POST /api/v1/demands": {"product_id": "$product_id", "quantity": 50, "unit": "jin",
                             "first_week": "$day+7", "last_week": "$day+14",
                             "site_id": "$site_id", "min_shelf_life_days": 2},
    "POST /api/v1/contracts": {
        "producer_id": "$producer_id", "buyer_phone": "$buyer_phone", "product_id": "$product_id",
        "first_week": "$day+7", "weeks": 2, "quantity_per_week": "100", "price_kind": "fixed",
        "price": "3.20"},
    "PATCH /api/v1/contracts/{contract_id}": {"notes": "改"},
    "POST /api/v1/contracts/{contract_id}/shortfalls": {"quantity": "10", "week_from": "$day+7",
                                                       "reason": "干旱"},
    "POST /api/v1/contracts/{contract_id}/release": {"reason": "改从别处采购"},
    "POST /api/v1/quote-requests": {"product_id": "$product_id", "quantity": 50, "unit": "jin",
                                    "delivery_date": "$day+3", "site_id": "$site_id"},
    "POST /api/v1/quote-requests/{request_id}/quotes": {
        "listing_id": "$listing_id", "price": 3, "unit": "jin", "freight": 0,
        "valid_until": "$now+1d"},
    "POST /api/v1/orders/{order_id}/rating": {"stars": 5},
    "POST /api/v1/orders/{order_id}/disputes": {"text": "坏了三箱"},
    "POST /api/v1/disputes/{dispute_id}/reply": {"reply": "抱歉, 补发"},
    "POST /api/v1/cart/lines": {"listing_id": "$listing_id", "quantity": 10, "unit": "jin"},
    "PUT /api/v1/cart/lines/{listing_id}": {"quantity": 12, "unit": "jin"},
    "PUT /api/v1/account": {"company": "新公司"},
    "POST /api/v1/account/sites": {"name": "二号仓", "latitude": 31.2, "longitude": 121.4},
    "PATCH /api/v1/account/sites/{site_id}": {"name": "一号仓"},
    "POST /api/v1/vehicles": {"plate": "皖K55555", "name": "小冷藏车", "depot_id": "$place_id",
                              "fixed_cost_fen": 1000, "fen_per_km": 100,
                              "producer_id": "$producer_id", "compartments": [
                                  {"kind": "chilled-veg", "temp_class": "chilled", "min_c": 0,
                                   "max_c": 4, "capacity_kg": 1000, "capacity_pallets": 2}]},
    "PUT /api/v1/vehicles/{vehicle_id}": {"name": "新车名"},
    "POST /api/v1/epcis/capture": "$document:epcis",  # one storing event about the side's lot
    "POST /api/v1/epcis/queries": {"name": "matrix-new", "query": {"EQ_bizStep": "shipping"}},
    "POST /api/v1/epcis/queries/{query_name}/subscriptions": {
        "dest": "https://partner.example.com/epcis", "schedule": {"hour": "2", "minute": "0"}},
    "POST /api/v1/dispatch/plans": {"depot_id": "$place_id", "dispatch_date": "$day+1",
                                    "time_limit_s": 5},
    # Pages whose form is validated before the caller's right to send it is checked.
    "POST /feedback/disputes/<int:dispute_id>/reply": {"d{dispute_id}-reply": "抱歉, 补发"},
    "POST /producers/<int:producer_id>/members": {"phone": "$recruit_phone", "role": "member",
                                                  "name": "新社员"},
    "POST /batches/<int:batch_id>/status": {"status": "held", "reason": "抽检"},
    "POST /dispatch/plans": {"store": "$place_id", "day": "$day+1", "time_limit_s": "5"},
    "POST /carrier/shipments/<int:shipment_id>/status": {"status": "in_transit"},
    "POST /carrier/shipments/<int:shipment_id>/alerts/<int:alert_id>": {"comment": "已处理"},
    "POST /feedback/orders/<int:order_id>/disputes": {"text": "坏了三箱"},
    "POST /feedback/orders/<int:order_id>/rating": {"stars": "5"},
    "POST /login": {"phone": "13912345678", "password": "wrong-horse-1"},
    # Page forms as a member fills them in (the rest are sent empty, see ALLOWED_ANSWERS).
    "POST /batches/new": {"producer_id": "$producer_id", "product_id": "$product_id",
                          "plot_id": "", "new_plot_name": "东地块", "harvest_date": "$day-1",
                          "quantity": "120", "unit": "jin", "grade": "一级", "notes": "",
                          "variety": "", "idempotency_key": "matrix-page-key-0001"},
    "POST /batches/<int:batch_id>/edit": {"variety": "", "plot_id": "", "new_plot_name": "东地块",
                                          "harvest_date": "$day-1", "quantity": "4000",
                                          "unit": "jin", "grade": "", "grade_other": "",
                                          "notes": "复查"},
    "POST /batches/<int:batch_id>/labels": {"labels-layout": "a4-24", "labels-count": "2",
                                            "labels-net_weight": "1", "labels-unit": "jin"},
    "POST /batches/<int:batch_id>/split": {"part1": "10", "unit": "jin"},
    "POST /batches/<int:batch_id>/tests/new": {"method": "rapid", "result": "pass",
                                               "tester": "自检", "tested_on": "$day-1",
                                               "measured_values": ""},
    "POST /producers/<int:producer_id>/certifications/new": {
        "kind": "organic", "number": "OC-2026-2", "issuer": "南京国环", "valid_from": "$day-30",
        "valid_to": "$day+300", "product_id": "", "notes": ""},
    "POST /certifications/<int:cert_id>/edit": {
        "kind": "green_food", "number": "LB-18-1234567890", "issuer": "中国绿色食品发展中心",
        "valid_from": "$day-300", "valid_to": "$day+300", "product_id": "", "notes": "年审"},
    "POST /producers/<int:producer_id>/plots": {"name": "北地块"},
    "POST /producers/<int:producer_id>/plantings/new": {
        "plot_id": "$plot_id", "product_id": "$product_id", "area_mu": "1.5",
        "planted_on": "$day-30", "harvest_from": "$day+20", "harvest_to": "$day+40",
        "variety": "", "expected_yield_jin_per_mu": ""},
    "POST /plantings/<int:planting_id>/edit": {
        "plot_id": "$plot_id", "product_id": "$product_id", "area_mu": "1.5",
        "planted_on": "$day-30", "harvest_from": "$day+20", "harvest_to": "$day+40",
        "variety": "春棚", "expected_yield_jin_per_mu": ""},
    "POST /plantings/<int:planting_id>/updates": {"status": "poor", "reason": "干旱"},
    "POST /producers/<int:producer_id>/plots/<int:plot_id>/edit": {"name": "东地块",
                                                                   "township": "旧县镇"},
    "POST /producers/new": {"kind": "family_farm", "name": "新农场", "county_code": "341222"},
    "POST /inputs/new": {"producer_id": "$producer_id", "kind": "pesticide",
                         "product_name": "阿维菌素", "dose": "30 mL/亩", "plot_id": "",
                         "new_plot_name": "东地块", "applied_on": "$day-3",
                         "pre_harvest_interval_days": "7", "notes": ""},
    "POST /market/synonyms": {"name": "权限测试词", "means": "大蒜"},
    "POST /admin/users/new": {"phone": "13700000001", "name": "新用户", "role": "farmer",
                              "password": "a-long-pass-phrase-9", "email": ""},
    "POST /sales/<int:order_id>/decline": {"reason": "缺货"},
    "POST /sales/<int:order_id>/status": {"status": "confirmed"},
    "POST /batches/<int:batch_id>/merge": {"others": "$spare_batch_id"},
    "POST /batches/<int:batch_id>/listing": {
        "price_jin": "3.60", "unit": "jin", "min_order": "10", "quantity": "2000",
        "available_to": "$day+7", "specification": ""},
    "POST /cart/checkout": {"site_id": "$site_id"},
    "POST /demands/new": {"product_id": "$product_id", "grade": "", "quantity": "50",
                          "unit": "jin", "first_week": "$day+7", "last_week": "$day+14",
                          "site_id": "$site_id", "price": "", "min_shelf_life_days": "2"},
    "POST /quotes/new": {"product_id": "$product_id", "quantity": "50", "unit": "jin",
                         "delivery_date": "$day+3", "site_id": "$site_id", "notes": ""},
    "POST /quotes/requests/<int:request_id>/answer": {
        "listing_id": "$listing_id", "price": "3.20", "unit": "jin", "freight": "0",
        "valid_until": "3"},
}
# Each sign-in attempt costs a password hash (about half a second); who is signed in does not
# change what a sign-in does, so these are probed as two roles only.
ONLY_AS: dict[str, tuple[str, ...]] = {
    "POST /login": ("anonymous", "buyer"),
    "POST /api/v1/tokens": ("anonymous", "farmer"),
}
# Uploads (multipart): field -> a file of that kind.
UPLOADS: dict[str, dict[str, str]] = {
    "POST /api/v1/files": {"producer_id": "$producer_id", "file": "pdf"},
    "POST /api/v1/batches/{batch_id}/photos": {"photo": "jpeg"},
    "POST /api/v1/shipments/{shipment_id}/temperatures/csv": {"file": "csv"},
    "POST /carrier/shipments/<int:shipment_id>/temperatures": {"file": "csv"},
    "POST /batches/<int:batch_id>/photos": {"photo": "jpeg"},
}
# Request headers an operation needs besides the caller's (e.g. Idempotency-Key).
HEADERS: dict[str, dict[str, str]] = {
    "POST /api/v1/batches/{batch_id}/photo-uploads": {"Idempotency-Key": "matrix-photo"},
    "PATCH /api/v1/photo-uploads/{upload_id}": {"Upload-Offset": "0"},
}
# Raw bodies (not JSON): operation -> (bytes, Content-Type).
RAW_BODIES: dict[str, tuple[bytes, str]] = {
    "PATCH /api/v1/photo-uploads/{upload_id}": (b"\xff\xd8\xff" + b"0" * 7,
                                               "application/offset+octet-stream"),
}
# An allowed caller gets 2xx/3xx, except here (the state of the record says no) and on a page
# form the matrix sends empty (no BODIES entry): the form comes back with its errors, 422.
ALLOWED_ANSWERS: dict[str, tuple[int, str]] = {
    # The world's contracts are proposed by their buyers, waiting for their producers.
    "POST /api/v1/contracts/{contract_id}/confirm": (409, "the buyer proposed it: confirmed"),
    "POST /api/v1/contracts/{contract_id}/offer": (409, "the contract is not confirmed yet"),
    "POST /api/v1/dispatch/plans": (409, "the cold store's plan is still queued (one at a time)"),
    "POST /admin/users/<int:user_id>/reactivate": (409, "the member is active already"),
    "GET /api/v1/label-runs/{run_id}/pdf": (409, "the run is still queued"),
    "GET /label-runs/<int:run_id>/labels.pdf": (409, "the run is still queued"),
    "POST /api/v1/dispatch/plans/{plan_id}/accept": (409, "the plan is not done"),
    "POST /dispatch/plans/<int:plan_id>/accept": (409, "the plan is not done"),
    "GET /dispatch/plans/<int:plan_id>/run-sheets.pdf": (409, "the plan is still queued"),
    "GET /dispatch/plans/<int:plan_id>/plan.csv": (409, "the plan is still queued"),
}
# Query strings; a list filtered by a tenant's record is probed with each side's (what comes
# back must hold nothing of another tenant's, see access_world.Side.secrets).
QUERIES: dict[str, dict[str, str]] = {
    "GET /api/v1/records": {"date_from": "$day-30", "date_to": "$day+0"},
    "GET /api/v1/batches": {"producer_id": "$producer_id"},
    "GET /api/v1/inputs": {"producer_id": "$producer_id"},
    "GET /api/v1/tests": {"batch_id": "$batch_id"},
    "GET /api/v1/certifications": {"producer_id": "$producer_id"},
    "GET /api/v1/shipments": {"carrier_id": "$carrier_id"},
    "GET /api/v1/reports/sales": {"producer_id": "$producer_id"},
    "GET /api/v1/vehicles": {"producer_id": "$producer_id"},
    "GET /api/v1/epcis/events": {"lot": "$lot_code"},
    "GET /api/v1/listings": {"site_id": "$site_id"},
}
