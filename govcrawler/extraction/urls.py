"""Canonical URLs and stable article ids."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from urllib.parse import urlsplit, urlunsplit

from w3lib.url import canonicalize_url, safe_url_string

from govcrawler.extraction.url_shapes import document_id
from govcrawler.sites import SiteProfile

_DEFAULT_PORTS = {"http": 80, "https": 443}


@lru_cache(maxsize=4096)  # a page's URL is canonicalised about ten times on its way
def canonical_url(url: str) -> str:
    """Fragment and default port dropped, scheme/host lower-cased, unsafe characters escaped.

    Query order is kept as the site wrote it (w3lib's full canonicalisation would reorder it,
    which changes what some CMSs serve); `dedup_key` is the stricter form for de-duplication.
    """
    parts = urlsplit(safe_url_string(url.strip()))
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    netloc = host if parts.port in (None, _DEFAULT_PORTS.get(scheme)) else f"{host}:{parts.port}"
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


def dedup_key(url: str) -> str:
    """w3lib's canonical form (sorted query, no fragment) of the canonical URL."""
    return canonicalize_url(canonical_url(url))


def article_id(profile: SiteProfile | None, site: str, url: str) -> str:
    """`<site>:<document id from the URL>`: the group the profile's id_pattern finds; for a
    profile without one (a minimal profile), the document id the URL's shape carries
    (extraction/url_shapes.py: `t20260209_470003.html` → 470003, `page.php?xuh=48306` → 48306);
    else a hash of the URL (`<site>:u` and 16 hex digits). A profile with an id_pattern never
    gets a shape id, so its ids stay what they were."""
    url = canonical_url(url)
    if profile and profile.id_pattern:
        match = profile.id_pattern.search(url)
        if match:
            return f"{site}:{match.group(1)}"
    elif profile is not None:
        shape_id = document_id(url)
        if shape_id:
            return f"{site}:{shape_id}"
    return f"{site}:u{hashlib.sha256(url.encode('utf-8')).hexdigest()[:16]}"
