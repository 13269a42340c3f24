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
