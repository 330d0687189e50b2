"""One normalised form of every sign-in identifier (Atende e-mail, admin username, APR CPF).

The same key is used to find the account at login, as the brute-force lockout's username (axes'
AXES_USERNAME_CALLABLE) and for uniqueness at registration, so every spelling of an identifier that could
reach an account counts against that account.

The key is NFKC + casefold, then the Turkish i's mapped to "i". Casefold alone is not enough: it leaves the
dotless "ı" as it is and turns "İ" into "i" + U+0307, although a database's case-insensitive match
(PostgreSQL's UPPER/LOWER) and Python's `re.IGNORECASE` - which Django's EmailValidator uses, so "clıente@…"
is a valid e-mail - take both for an "i". With that mapping, two strings with the same upper-case or the same
lower-case form always get the same key (tests/test_identifiers.py checks every code point). Accented letters
stay as they are: "josé" and "jose" are different people, and names with accents are real.

Accounts are looked up *exactly* by the key (User.username holds the key, User.email_key the e-mail's key),
never with `__iexact`: the database's folding then cannot let in a variant the lockout counts apart.
"""

import unicodedata

# Axes stores the username in a 255-character column; longer values are refused by the forms first.
AXES_USERNAME_MAX = 255


def identifier_key(value):
    value = unicodedata.normalize("NFKC", value or "").casefold()
    value = value.replace("ı", "i").replace("i\u0307", "i")
    return unicodedata.normalize("NFKC", value).strip()


def cpf_key(value):
    """Digits of a CPF in ASCII, whatever digits were typed ('５２９…' or '٥٢٩…' are the same CPF)."""
    return "".join(
        str(unicodedata.decimal(char))
        for char in unicodedata.normalize("NFKC", value or "")
        if char.isdecimal()
    )


def axes_username(request, credentials):
    """AXES_USERNAME_CALLABLE: the lockout counts failures under the same key the login looks up."""
    value = (credentials or {}).get("username")
    if value is None and request is not None:
        value = request.POST.get("username")
    if value is None:
        return None
    return identifier_key(str(value))[:AXES_USERNAME_MAX]
