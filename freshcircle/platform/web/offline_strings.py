"""The words the offline app's scripts show, from the translation catalogs.

Pages render them as JSON in an attribute (`<div id="offline-strings" data-strings=...>`; no
inline script, as the security headers test demands), which the scripts read; no Chinese or
English is written in the scripts. `{n}`, `{lot}`, `{kind}` and the like are filled in by the
script.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from freshcircle.platform.farms.services.safety import CONFIRM_IN_INTERVAL, interval_sentence

STRINGS = {
    "pending_count": _l("{n} waiting to sync"),
    "needs_action_count": _l("{n} need your attention"),
    "offline": _l("Offline"),
    "sync_now": _l("Sync now"),
    "syncing": _l("Syncing…"),
    "status_pending": _l("Waiting to sync"),
    "status_needs_action": _l("Needs your attention"),
    "status_synced": _l("Synced"),
    "kind_batch": _l("Batch"),
    "kind_plot": _l("Plot"),
    "kind_input": _l("Input record"),
    "kind_test": _l("Rapid test"),
    "kind_split": _l("Split"),
    "kind_merge": _l("Merge"),
    "kind_photo": _l("Photo"),
    "outbox_title": _l("Saved on this phone"),
    "saved_offline": _l("Saved on this phone. It will sync by itself when the network is "
                        "back."),
    "discard": _l("Discard"),
    "discard_confirm": _l("Discard this record? It cannot be brought back."),
    "edit": _l("Change and send again"),
    "retry": _l("Try again"),
    "sign_in_again": _l("Your sign-in has expired: sign in again, then tap Sync now."),
    "server_busy": _l("The server could not take it just now; it will be tried again."),
    "waits_for": _l("Waits for the record before it to sync."),
    "photo_waiting": _l("Photo waiting to upload"),
    "photo_uploading": _l("Uploading photo: {percent}%"),
    "needs_network": _l("This needs a network connection."),
    "online_only": _l("Needs a network: not available offline"),
    "synced_as": _l("Synced: {lot}"),
    "signout_pending": _l("{n} records on this phone have not synced yet. They stay on this "
                          "phone and sync when you sign in again."),
    "plot_new": _l("New plot"),
    "no_cached_data": _l("This phone has not kept your records yet: open 我的批次 once "
                         "with a network."),
}


def strings_for_pages() -> dict[str, str]:
    strings = {name: str(text) for name, text in STRINGS.items()}
    # The flash the page form shows after a batch is registered, for the synced record.
    strings["batch_registered"] = _("Batch %(lot)s is registered.", lot="{lot}")
    # The server's refusal of a harvest inside an interval, for the same check on the phone.
    strings["interval_not_over"] = str(interval_sentence(
        plot="{plot}", product="{product}", applied="{applied}", days="{days}", safe="{safe}"))
    strings["interval_confirm"] = str(CONFIRM_IN_INTERVAL)
    return strings
