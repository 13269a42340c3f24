"""Line-level boilerplate removal, script-agnostic (版權所有 is caught like 版权所有).

A line is boilerplate when it is a run of navigation/share tokens (手机站 客户端 微信 微博, 打印 关闭),
or a short non-sentence line matching a footer/widget pattern (版权所有, ICP备, 邮政编码, 技术支持,
请输入验证码, 分享到, 上一篇 …). Long lines and lines that end like a sentence are content even
when they mention such words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from govcrawler.cleaning.script import to_simplified

# Whole-line navigation, share and tool tokens (simplified; matched after t2s folding).
NAV_TOKENS = frozenset(
    [
        "手机站",
        "手机版",
        "移动版",
        "客户端",
        "客户端下载",
        "微信",
        "微博",
        "新浪微博",
        "腾讯微博",
        "qq",
        "qq空间",
        "qq好友",
        "百度贴吧",
        "人人网",
        "豆瓣",
        "打印",
        "打印本页",
        "打印文章",
        "打印此文",
        "打印本文",
        "关闭",
        "关闭窗口",
        "关闭本页",
        "返回",
        "返回首页",
        "返回顶部",
        "回到顶部",
        "首页",
        "收藏",
        "加入收藏",
        "设为首页",
        "分享",
        "分享到",
        "分享至",
        "字号",
        "字体",
        "字体大小",
        "大",
        "中",
        "小",
        "默认",
        "放大",
        "缩小",
        "工作邮箱",
        "版权声明",
        "无障碍浏览",
        "无障碍",
        "长者模式",
        "网站地图",
        "联系我们",
        "关于我们",
        "网站声明",
        "隐私声明",
        "上一篇",
        "下一篇",
        "上一页",
        "下一页",
        "相关链接",
        "纠错",
        "我要纠错",
        "繁体",
        "简体",
        "繁體",
        "english",
        "微信扫一扫",
        "扫一扫",
        "二维码",
        "公众号",
        "官方微信",
        "官方微博",
        "订阅",
        "rss",
        "登录",
        "注册",
        "搜索",
    ]
)
_TOKEN_SPLIT = re.compile(r"[\s|｜·•/、,，:：>＞»›\-—]+")
_BRACKETS = str.maketrans("", "", "【】[]（）()〔〕「」<>《》")

# Footer and widget patterns, applied to short lines that are not sentences.
FOOTER_PATTERNS = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        r"版权所有|©|\(c\)\s*\d{4}|copyright|all rights reserved|未经(许可|授权|同意).{0,6}(复制|转载|镜像)",
        r"icp\s*备|icp\s*证|公网安备|网安备\s*\d|网站标识码|网站识别码|政府网站标识",
        r"邮政编码|邮编\s*[:：]?\s*\d{6}|^(通讯|联系)?地址\s*[:：]|^(联系|举报)?电话\s*[:：]|^传真\s*[:：]",
        r"^(主办|承办|协办|运营|运维|维护|建设)(单位)?\s*[:：]|技术支持",
        r"请输入验证码|^验证码\s*[:：]?|看不清.{0,4}换一张",
        r"^分享(到|至)?\s*[:：]|微信扫一扫|扫一下|二维码便可将本文分享|^扫描二维码|^手机(扫描|扫码)",
        r"^(上一篇|下一篇|上一条|下一条|上一页|下一页)\s*[:：]",
        r"^字(号|体)(大小)?\s*[:：]?\s*([大中小]\s*)*$",
        r"^(您)?(当前|现在)?(所在)?的?位置\s*[:：]|^首页\s*[>＞»›]",
        r"^(浏览|阅读|点击|访问)(次数|量|数)?\s*[:：]\s*\d*\s*次?$",
        r"^【\s*(打印|关闭|收藏|返回)",
        r"^(相关(报道|新闻|链接|文章|阅读|专题)|延伸阅读|推荐阅读|热点推荐|热门推荐|猜你喜欢)\s*[:：]?$",
        r"^(发表评论|我要评论|发送给朋友|推荐给朋友|我要纠错|纠错)$",
    )
)
_SENTENCE_END = tuple("。！？；”」")
MAX_FOOTER_LINE = 120


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """Matching form of a line: simplified script, lower case (cached: footers repeat; the
    recurring lines of a site fit in a few thousand entries, while every article's own lines
    pass only once: a cache of 65,536 kept them, and a crawl's RSS grew by 17 MB from its
    1,000th to its 5,500th article, 5 MB with this one — BENCHMARKS.md)."""
    return to_simplified(text).lower()


MAX_NAV_LINE = 80


def is_nav_line(line: str) -> bool:
    """True when every token of the line is a navigation/share/tool word."""
    if len(line) > MAX_NAV_LINE:
        return False
    tokens = [t for t in _TOKEN_SPLIT.split(fold(line).translate(_BRACKETS)) if t]
    return bool(tokens) and all(t in NAV_TOKENS for t in tokens)


def is_boilerplate_line(line: str, extra_phrases: Iterable[str] = ()) -> bool:
    """Decide one normalised line; `extra_phrases` are a profile's own boilerplate strings."""
    if is_nav_line(line):
        return True
    if len(line) > MAX_FOOTER_LINE or line.endswith(_SENTENCE_END):
        return False
    folded = fold(line)
    if any(p.search(folded) for p in FOOTER_PATTERNS):
        return True
    return any(fold(phrase) in folded for phrase in extra_phrases)


def strip_boilerplate_lines(lines: Iterable[str], extra_phrases: Iterable[str] = ()) -> list[str]:
    """Drop boilerplate lines, keep the rest in order."""
    phrases = tuple(extra_phrases)
    return [line for line in lines if not is_boilerplate_line(line, phrases)]
