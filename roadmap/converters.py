"""Path converters for the secret tokens in URLs. A token is URL-safe base64 (secrets.
token_urlsafe) or a signed value (django.core.signing): anything else, a NUL or another control
character above all, cannot be one, and answers 404 before it reaches the database (PostgreSQL
refuses a NUL in a query parameter, which was a 500)."""


class TokenConverter:
    """secrets.token_urlsafe(): share links, calendar feeds, invite codes."""

    regex = r"[A-Za-z0-9_-]{1,64}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class SignedTokenConverter(TokenConverter):
    """A django.core.signing value: URL-safe base64 pieces joined by ':' (a leading '.' when
    compressed)."""

    regex = r"[A-Za-z0-9_.:-]{1,512}"
