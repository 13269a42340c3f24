"""Site profiles: `<key>.toml` files in this folder (the data), their types (profile.py), the strict
loader (loader.py) and the selector compiler (selectors.py)."""

from govcrawler.sites.loader import (
    PROFILE_DIR,
    PROFILES_DIR_ENV,
    ProfileError,
    all_profiles,
    get_profile,
    load_profile,
    profile_for_url,
)
from govcrawler.sites.profile import (
    ARTICLE_RULE_NAMES,
    DEFAULT_SCRIPT_LINK_RE,
    EVIDENCE_STATUSES,
    PAGE_PLACEHOLDER_RE,
    PAGINATION_KEYS,
    PAGINATION_KINDS,
    ArticleRules,
    Column,
    Evidence,
    FileRules,
    ListRules,
    Pagination,
    SiteProfile,
    host_in,
)

__all__ = [
    "ARTICLE_RULE_NAMES",
    "DEFAULT_SCRIPT_LINK_RE",
    "EVIDENCE_STATUSES",
    "PAGE_PLACEHOLDER_RE",
    "PAGINATION_KEYS",
    "PAGINATION_KINDS",
    "PROFILES_DIR_ENV",
    "PROFILE_DIR",
    "ArticleRules",
    "Column",
    "Evidence",
    "FileRules",
    "ListRules",
    "Pagination",
    "ProfileError",
    "SiteProfile",
    "all_profiles",
    "get_profile",
    "host_in",
    "load_profile",
    "profile_for_url",
]
