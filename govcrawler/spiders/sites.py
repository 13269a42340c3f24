"""One spider per site profile (govcrawler/sites/*.toml): adding a site needs no Python."""

from __future__ import annotations

from govcrawler.sites import all_profiles
from govcrawler.spiders.site_spider import SiteSpider

for _key, _profile in all_profiles().items():
    _class_name = "".join(part.title() for part in _key.split("_")) + "Spider"
    globals()[_class_name] = type(
        _class_name,
        (SiteSpider,),
        {
            "name": _key,
            "profile": _profile,
            "__module__": __name__,
            "__doc__": f"{_profile.name} ({', '.join(_profile.domains)})",
        },
    )


def spider_class(key: str) -> type[SiteSpider]:
    """The generated spider class of the site `key` (KeyError when there is none)."""
    for value in list(globals().values()):
        if (
            isinstance(value, type)
            and issubclass(value, SiteSpider)
            and getattr(value, "name", None) == key
        ):
            return value
    raise KeyError(key)


def check_arguments(keys: list[str], spider_args: dict[str, str]) -> None:
    """ValueError naming the site when `spider_args` are not valid for one of `keys` (unknown
    argument, malformed value, unknown column): checked before any crawl starts."""
    for key in keys:
        try:
            spider_class(key)(**spider_args)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{key}: {exc}") from None
