"""The password policy: at least 10 characters, and not one of the 10,000 most common.

One check for every place a password is chosen: an account created by an admin or the
command line, a member's first password, a change and a reset. The list ships as
platform/data/common_passwords.txt (see common_passwords.SOURCE.md); it is compared
without regard to letter case.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from flask_babel import lazy_gettext as _l

from freshcircle.platform.core.services.errors import InvalidInput

MIN_PASSWORD_LENGTH = 10
# Shown under every new-password field.
PASSWORD_HINT = _l("At least 10 characters, and not a common password such as 1234567890.")


@cache
def common_passwords() -> frozenset[str]:
    text = (resources.files("freshcircle.platform") / "data" / "common_passwords.txt"
            ).read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip())


def password_problems(password: str | None) -> list:
    """What is wrong with `password` as a new password (translatable messages); [] if fine."""
    password = password or ""
    if len(password) < MIN_PASSWORD_LENGTH:
        return [_l("The password needs at least 10 characters.")]
    if password.strip().lower() in common_passwords():
        return [_l("This password is too common and easy to guess; choose another.")]
    return []


def require_good_password(password: str | None, field: str = "password") -> None:
    """Raise InvalidInput naming `field` unless `password` meets the policy."""
    problems = password_problems(password)
    if problems:
        raise InvalidInput(errors={field: problems})
