"""Pages for the fault-injection server, written by us: a small 纪委监委-style site (list page,
articles with a 发布时间/来源 line) and the hostile pages government sites answer crawlers with,
mirroring their structure (class names, script shapes, status codes) around our own text."""

from __future__ import annotations

from pathlib import Path

SITE_KEY = "faults"
SITE_NAME = "测试市纪委监委"

_SENTENCES = (
    "市纪委监委近日对{n}起违反中央八项规定精神问题进行了通报。",
    "经查，相关人员在公务接待中超标准列支费用，造成不良影响。",
    "市纪委监委要求各级党组织切实扛起主体责任，深化整治形式主义、官僚主义。",
    "通报指出，第{n}号案例中的当事人已受到党内严重警告处分，违纪款项已全部收缴。",
    "各地各部门要引以为戒，举一反三，持续加强日常监督和警示教育。",
)


def paragraphs(n: int) -> list[str]:
    """Article text of our own, different for every `n`."""
    return [s.format(n=n) + f"（编号{n}-{i}）" for i, s in enumerate(_SENTENCES, 1)]


def article(
    n: int,
    *,
    title: str | None = None,
    when: str = "2026-03-02 10:00",
    charset: str = "utf-8",
    body_html: str | None = None,
) -> str:
    """An article page; `title=""` leaves out every headline, `body_html` replaces the body."""
    headline = f"测试市纪委监委通报第{n}批典型问题" if title is None else title
    body = body_html or "".join(f"<p>{p}</p>" for p in paragraphs(n))
    return (
        f'<!DOCTYPE html><html><head><meta charset="{charset}">'
        f"<title>{headline}</title></head><body>"
        '<div class="nav"><a href="/list.html">首页</a> &gt; 审查调查</div>'
        f'<div class="article"><h1>{headline}</h1>'
        f'<div class="info">发布时间：{when}　来源：{SITE_NAME}</div>'
        f'<div class="content">{body}</div></div>'
        '<div class="footer">版权所有：测试市纪委监委　技术支持：测试信息中心</div>'
        "</body></html>"
    )


def list_page(urls: list[str]) -> str:
    items = "".join(
        f'<li><a href="{url}">审查调查通报 {i}</a><span>2026-03-02</span></li>'
        for i, url in enumerate(urls, 1)
    )
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>审查调查</title></head>'
        f'<body><ul class="list">{items}</ul></body></html>'
    )


def cookie_stub(cookie: str) -> str:
    """A JS cookie-challenge stub in CCDI's shape (2022–25): an escaped-string table, a window
    opened elsewhere, and the cookie assigned as one literal."""
    return (
        '<script>var _$tq=["\\x64\\x6f\\x63\\x75\\x6d\\x65\\x6e\\x74"];'
        'window.open("/search?q=%E5%AE%A1%E6%9F%A5", "_self");'
        f'window[_$tq[0]].cookie="{cookie}"</script>'
    )


def computed_cookie_stub() -> str:
    """A Jiasule-style 521 stub: the cookie is computed by the script, not written as a literal."""
    return (
        "<html><body><script>var _t=+new Date;document.cookie=('_')+('_')+('j')+('s')+('l')"
        "+('_clearance')+'='+_t+'|0|'+(_t%97)+';max-age=3600;path=/';"
        "location.href=location.pathname+location.search</script></body></html>"
    )


def captcha_page() -> str:
    """A slider-captcha page in the shape of CCDI's (2025–26): widget classes, hidden inputs."""
    return (
        '<!DOCTYPE html><html lang="zh"><head><meta charset="UTF-8">'
        '<link rel="stylesheet" href="/captcha/captcha.css"></head><body>'
        '<div class="captchaPage"><div class="rightValidate_cont">'
        '<div class="comImageValidate rightValidate"><input type="hidden" id="token" value="q1w2">'
        '<div class="validateTitle">请拖动滑块完成验证</div><div class="slider"></div></div>'
        "</div></div><script src='/captcha/slider.js'></script></body></html>"
    )


def captcha_prompt_page() -> str:
    """A page whose only content is a captcha prompt, in traditional script."""
    return (
        '<html><head><meta charset="utf-8"><title>驗證</title></head><body><form method="post">'
        '<p>請輸入驗證碼</p><input name="code"><img src="/code.jpg"><button>確定</button>'
        "</form></body></html>"
    )


def script_challenge(size: int = 6000) -> str:
    """A large script-only challenge page (412-style): big obfuscated code, no text."""
    code = "".join(f"_$x[{i}]=_$y({i}*7%31);" for i in range(size // 16))
    return (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
        f'<script type="text/javascript">var _$x=[],_$y=function(a){{return a}};{code}</script>'
        "</head><body></body></html>"
    )


def waf_page() -> str:
    """A small WAF answer (403/420 style): a script include and a line of text."""
    return (
        '<html><head><meta charset="utf-8"><script src="/waf/check.js"></script></head>'
        "<body><p>访问过于频繁，请稍后再试</p></body></html>"
    )


def plain_forbidden() -> str:
    return (
        "<html><head><title>403 Forbidden</title></head><body><h1>403 Forbidden</h1></body></html>"
    )


def js_location_stub(target: str) -> str:
    """A plain JS redirect stub (山西's shield shape, 2018)."""
    return f'<html><body><script type="text/javascript">self.location="{target}";</script></body></html>'


def meta_refresh_stub(target: str) -> str:
    return f'<html><head><meta http-equiv="refresh" content="0; url={target}"></head><body></body></html>'


def broken_nesting(n: int) -> str:
    """An article with unclosed and misnested tags (a Word paste through an old CMS)."""
    ps = paragraphs(n)
    body = (
        f"<p><b>{ps[0]}<p><i>{ps[1]}</b></i><div><p>{ps[2]}</td></tr>"
        f"<span><p>{ps[3]}</div></span><p>{ps[4]}"
    )
    return article(n, body_html=body).replace(
        '</div></div><div class="footer">', '<div class="footer">'
    )


def undecodable(n: int) -> bytes:
    """An article declared UTF-8 whose text bytes are broken (bytes no GB18030 or Big5 reads)."""
    raw = article(n).encode("utf-8")
    start = raw.index(b'<div class="content">') + 30
    broken = bytearray(raw)
    for i in range(start, len(raw) - 200, 7):
        broken[i] = 0xFF
    return bytes(broken)


def no_title(n: int) -> str:
    """An article with no headline anywhere and no short first line to stand in for one."""
    long_line = "".join(paragraphs(n))
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>'
        f'<div class="article"><div class="content"><p>{long_line}</p></div></div></body></html>'
    )


PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< >>\n%%EOF\n"
DOC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


def profile_toml(
    base: str, *, key: str = SITE_KEY, domains: tuple[str, ...] = ("127.0.0.1",)
) -> str:
    """A site profile pointed at the fault server (`base` = http://127.0.0.1:<port>)."""
    quoted = ", ".join(f'"{d}"' for d in domains)
    return f"""key = "{key}"
name = "{SITE_NAME}"
domains = [{quoted}]
id_pattern = '/a/([A-Za-z0-9_.-]+)\\.html$'

[[columns]]
name = "审查调查"
url = "{base}/list.html"

[list]
article_url = '/a/[A-Za-z0-9_.-]+\\.html$'

[pagination]
kind = "none"

[article]
title = ["div.article h1"]
meta_line = ["div.info"]
body = ["div.content"]

[evidence]
status = "described"
date = "2026-11-28"
notes = "Test profile for the fault-injection server (tests/faults); never a real site."
"""


def write_profile(folder: Path, base: str, **kwargs: object) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    key = str(kwargs.get("key", SITE_KEY))
    path = folder / f"{key}.toml"
    path.write_text(profile_toml(base, **kwargs), "utf-8")  # type: ignore[arg-type]
    return path
