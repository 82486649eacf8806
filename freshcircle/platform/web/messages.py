"""marshmallow's and webargs's built-in error messages, listed so they are extracted into the
translation catalogs; api_errors translates them when a request fails validation."""

from flask_babel import lazy_gettext as _l

BUILT_IN_MESSAGES = (
    _l("Missing data for required field."),
    _l("Field may not be null."),
    _l("Invalid value."),
    _l("Invalid input type."),
    _l("Invalid type."),
    _l("Number too large."),
    _l("Unknown field."),
    _l("Not a valid string."),
    _l("Not a valid integer."),
    _l("Not a valid number."),
    _l("Not a valid boolean."),
    _l("Not a valid date."),
    _l("Not a valid datetime."),
    _l("Not a valid list."),
    _l("Not a valid mapping type."),
    _l("Not a valid UUID."),
    _l("Not a valid email address."),
    _l("Not a valid URL."),
    _l("Not a valid time."),
    _l("Not a valid tuple."),
    _l("Special numeric values (nan or infinity) are not permitted."),
    _l("Not a valid datetime: a time zone is required."),
    _l("Must be one of: {choices}."),
    _l("Invalid input."),
    _l("Invalid JSON body."),
)
