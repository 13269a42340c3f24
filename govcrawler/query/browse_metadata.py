"""What Datasette shows around the archive tables: titles and descriptions in Chinese and English,
column labels, facets, a source note per site, and the canned queries archivists ask for.

Pure data: `metadata()` returns the dict `govcrawler serve` hands to Datasette.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from govcrawler.sites import SiteProfile

DATABASE = "archive"

TITLE = "纪检监察网站档案 · Discipline-inspection commission archive"
DESCRIPTION = (
    "govcrawler 归档的中央纪委国家监委及各省纪委监委网站文章。检索同时查简体和繁体，任意长度的词均可；"
    "按网站、栏目、年月筛选，并可下载 CSV。\n"
    "Articles archived by govcrawler from the CCDI and provincial discipline-inspection "
    "commission sites. Search finds simplified and traditional script alike, terms of any "
    "length; filter by site, column and month, and download CSV."
)
SOURCE_NOTE = (
    "文章版权归各发布机关所有；本档案供研究与保存之用，转载前请核对原网站的使用条款。"
    " · Articles remain the publishers' works; this archive serves research and preservation:"
    " check the publisher's terms before republishing."
)

#: Timestamps in the archive are ISO 8601 in UTC (`…Z`); this is "now minus a week" alike.
_WEEK_AGO = "strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-7 days')"

_ARTICLE_COLUMNS = {
    "id": "编号 · id: site key and the site's own article number",
    "title": "标题 · title",
    "site": "网站 · site (key; the link shows its name and source note)",
    "site_name": "网站名称 · site name",
    "column": "栏目 · column (section of the site)",
    "published_at": "发布时间 · published (as the page states it)",
    "month": "年月 · year-month of publication (YYYY-MM)",
    "source": "来源 · source line",
    "author": "作者 · author(s) from the byline",
    "url": "原文链接 · live URL of the article",
    "body": "正文 · text, one paragraph per line",
    "versions": "版本数 · number of text versions archived (2+ = changed after publication)",
    "version": "版本 · version number of the text shown",
    "removed": "已删除 · 1 = the site has since removed the article (404/410)",
    "removed_at": "删除发现时间 · when the removal was first seen (UTC)",
    "first_fetched_at": "首次归档 · first archived (UTC)",
    "fetched_at": "本版本归档 · when the text shown was archived (UTC)",
    "warc_file": "WARC 文件 · WARC file holding the page as received",
    "warc_record_id": "WARC 记录 · WARC-Record-ID of the capture (a link when a replay URL is set)",
    "archive_file": "归档文件 · JSONL run file holding the record",
    "archive_line": "行号 · line of that file",
}

_VERSION_COLUMNS = {
    **{k: v for k, v in _ARTICLE_COLUMNS.items() if k not in ("month", "versions", "removed_at")},
    "removed": "删除记录 · 1 = this line records the removal of the article (no text)",
    "editor": "编辑 · editor credit",
    "content_sha256": "正文 SHA-256 · sha256 of the text",
}

_CASE_COLUMNS = {
    "id": "案件编号 · case id: article id # name",
    "article_id": "文章编号 · the article the case is read from",
    "url": "原文链接 · live URL of the article",
    "published_at": "发布时间 · published",
    "site": "网站 · site",
    "name": "姓名 · name as written",
    "position": "职务 · position as written before the name",
    "region": "地区 · province-level region of the position, or 中央",
    "level": "干部层级 · cadre level (中管干部, 省管干部 …)",
    "actions": "处理措施 · actions (normalised list)",
    "actions_text": "原文措辞 · the exact phrases",
    "offence": "违纪违法事实 · offence",
    "evidence": "依据原文 · sentence(s) the case is read from",
    "stages": "各阶段 · stages: action, date as written, phrase (JSON)",
    "title": "文章标题 · title of the article",
    "removed": "已删除 · 1 = the article has since been removed from its site",
    "schema_version": "格式版本 · case schema version",
}

_PERSON_COLUMNS = {
    "person_id": "人员编号 · person id",
    "name": "姓名 · name as written",
    "position": "职务 · position (the most complete one written)",
    "positions": "各处职务 · every position written (JSON)",
    "region": "地区 · province-level region, or 中央",
    "level": "干部层级 · cadre level",
    "actions": "处理措施 · every action taken (normalised list)",
    "first_seen": "首次出现 · first publication naming the person",
    "last_seen": "最近出现 · latest publication naming the person",
    "timeline": "时间线 · stages with dates and the article of each (JSON)",
    "sources": "来源文章 · every article naming the person (JSON)",
}


def site_rows(profiles: dict[str, SiteProfile]) -> list[tuple[str, str, str, str, str]]:
    """The `sites` table: key, name, English name, home page, source and licence note."""
    rows = []
    for key, profile in profiles.items():
        first = urlsplit(profile.columns[0].url) if profile.columns else None
        scheme = first.scheme if first else "https"
        home = f"{scheme}://{profile.domains[0]}/" if profile.domains else ""
        note = (
            f"来源：{profile.name}网站 {home}，版权归其所有。"
            f" · Source: {profile.name_en}, {home}; the publisher holds the rights."
        )
        rows.append((key, profile.name, profile.name_en, home, note))
    return rows


def metadata(index: str, replay: str | None, with_cases: bool) -> dict[str, Any]:
    """Datasette metadata for the archive database (`index`: the search index file the plugin
    attaches; `replay`: a pywb collection URL for capture links, or None)."""
    tables: dict[str, Any] = {
        "articles": {
            "title": "文章 · Articles",
            "description": "每篇文章一行，显示最新正文（含已被网站删除的文章）。"
            " · One row per article, with its latest text (removed articles included).",
            "sort_desc": "published_at",
            "facets": ["site", "column", "month"],
            "label_column": "title",
            "columns": _ARTICLE_COLUMNS,
        },
        "versions": {
            "title": "版本 · Versions",
            "description": "每条归档记录一行：文章的每个正文版本及每条删除记录。"
            " · One row per archive line: every text version of an article, and every"
            " removal record.",
            "sort_desc": "fetched_at",
            "facets": ["site", "removed"],
            "columns": _VERSION_COLUMNS,
        },
        "sites": {
            "title": "网站 · Sites",
            "description": "各网站的名称、主页及来源与版权说明。 · Each site's name, home page and"
            " source / licence note.",
            "label_column": "site_name",
            "columns": {
                "site": "网站代码 · site key",
                "site_name": "名称 · name",
                "site_name_en": "英文名称 · English name",
                "home": "主页 · home page",
                "note": "来源与版权 · source and licence note",
            },
        },
        "browse_meta": {"hidden": True},
        "browse_files": {"hidden": True},
    }
    queries: dict[str, Any] = {
        "new_articles_this_week": {
            "title": "本周新归档的文章 · Articles first archived this week",
            "sql": 'SELECT id, title, site_name, "column", published_at, first_fetched_at, url'
            f" FROM articles WHERE first_fetched_at >= {_WEEK_AGO}"
            " ORDER BY first_fetched_at DESC, published_at DESC",
        },
        "removed_articles": {
            "title": "已被网站删除的文章 · Articles removed from their site",
            "description": "归档后原网站返回 404/410 的文章，保留最后一个正文版本。"
            " · Articles whose page answered 404/410 after archiving; the last text is kept.",
            "sql": "SELECT id, title, site_name, published_at, removed_at, versions, url, body"
            " FROM articles WHERE removed = 1 ORDER BY removed_at DESC",
        },
        "changed_articles": {
            "title": "发布后被修改的文章 · Articles changed after publication",
            "description": "归档了两个及以上正文版本的文章；各版本见 versions 表。"
            " · Articles with two or more archived text versions; each version is in the"
            " versions table.",
            "sql": "SELECT id, title, site_name, published_at, versions, first_fetched_at,"
            " fetched_at AS last_changed_at, url FROM articles WHERE versions > 1"
            " ORDER BY fetched_at DESC",
        },
    }
    if with_cases:
        tables["cases"] = {
            "title": "案件 · Cases",
            "description": "从文章中读出的案件：每篇文章中被处理的每个人一行。"
            " · Cases read from the articles: one row per person an action is taken against.",
            "sort_desc": "published_at",
            "facets": [{"array": "actions"}, "region", "site"],
            "label_column": "name",
            "columns": _CASE_COLUMNS,
        }
        tables["persons"] = {
            "title": "人员 · Persons",
            "description": "同一人在各文章、各网站中的案件合并为一条时间线（姓名相同且职务相符）。"
            " · One timeline per person across articles and sites (same name, agreeing"
            " positions).",
            "sort_desc": "last_seen",
            "facets": [{"array": "actions"}, "region", "level"],
            "label_column": "name",
            "columns": _PERSON_COLUMNS,
        }
        queries["new_cases_this_week"] = {
            "title": "本周新案件 · New cases this week",
            "description": "本周首次归档的文章中的案件。 · Cases in articles first archived this"
            " week.",
            "sql": "SELECT c.name, c.position, c.region, c.actions, c.published_at, a.title,"
            " c.article_id, c.url FROM cases c JOIN articles a ON a.id = c.article_id"
            f" WHERE a.first_fetched_at >= {_WEEK_AGO} ORDER BY c.published_at DESC",
        }
    return {
        "title": TITLE,
        "description": DESCRIPTION,
        "source": "govcrawler",
        "license": SOURCE_NOTE,
        "databases": {
            DATABASE: {
                "title": TITLE,
                "description": DESCRIPTION,
                "tables": tables,
                "queries": queries,
            }
        },
        "plugins": {"govcrawler": {"database": DATABASE, "index": index, "replay": replay}},
    }


#: Datasette settings: long bodies cut in the table view (whole in the row page and exports),
#: no download of the database file itself, room for searches over a large archive.
SETTINGS = {
    "truncate_cells_html": 160,
    "default_page_size": 50,
    "sql_time_limit_ms": 5000,
    "facet_time_limit_ms": 1000,
    "allow_download": False,
    "suggest_facets": False,
}
