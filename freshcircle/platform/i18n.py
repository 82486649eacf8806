"""Language and time zone: Chinese first, English as a switch; times shown in Asia/Shanghai."""

from __future__ import annotations

from flask import Flask, has_request_context, request, session
from flask_babel import Babel, format_date, format_datetime, get_locale

from freshcircle.platform.core.services.identifiers import format_mobile
from freshcircle.platform.core.services.quantities import grams_to_jin, grams_to_kg


def select_locale() -> str:
    languages = ("zh", "en")
    if not has_request_context():  # CLI, workers: Chinese like the pages
        return "zh"
    chosen = request.args.get("lang") or session.get("lang")
    if chosen in languages:
        return chosen
    # Pages are Chinese first whatever the browser says; the API follows Accept-Language.
    if request.path.startswith("/api"):
        best = request.accept_languages.best_match(languages)
        if best:
            return best
    return "zh"


def init_app(app: Flask, babel: Babel) -> None:
    babel.init_app(app, locale_selector=select_locale)

    @app.context_processor
    def _helpers():
        return {
            "current_locale": str(get_locale()),
            "format_date": format_date,
            "format_datetime": format_datetime,
            "format_mobile": format_mobile,
            "grams_to_kg": grams_to_kg,
            "grams_to_jin": grams_to_jin,
        }
