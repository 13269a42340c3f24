"""Where a person's name is, and where it ends: never invent or truncate one.

A name is 2–3 Han characters opening with a surname (3–4 with a two-character surname), or a
name written with a middle dot (阿不都·热合曼) taken whole. It must be followed by a boundary:
punctuation, or a word that starts what is said about the person (被, 涉嫌, 违规, 等 …). When a
shorter and a longer reading both fit (张智已被 …), the reading that recurs in the article wins,
then the one whose last character is not itself a boundary word. Unnamed people (王某某, 李某,
有关人员) never pass: 某 and placeholders are not name characters.
"""

from __future__ import annotations

import re
from functools import lru_cache


def words(text: str) -> tuple[str, ...]:
    """Whitespace-separated words of a data string (long word lists stay readable)."""
    return tuple(text.split())


#: Single-character surnames (the classic list plus common and regional ones), as general data.
SURNAMES = frozenset(
    "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜戚谢邹喻柏水窦章云苏潘"
    "葛奚范彭郎鲁韦昌马苗凤花方俞任袁柳酆鲍史唐费廉岑薛雷贺倪汤滕殷罗毕郝邬安常乐于时傅皮卞"
    "齐康伍余元卜顾孟平黄和穆萧尹姚邵湛汪祁毛禹狄米贝明臧计伏成戴谈宋茅庞熊纪舒屈项祝董梁杜"
    "阮蓝闵席季麻强贾路娄危江童颜郭梅盛林刁钟徐邱骆高夏蔡田樊胡凌霍虞万支柯昝管卢莫经房裘缪"
    "干解应宗丁宣贲邓郁单杭洪包诸左石崔吉钮龚程嵇邢滑裴陆荣翁荀羊於惠甄曲家封芮羿储靳汲邴糜"
    "松井段富巫乌焦巴弓牧隗山谷车侯宓蓬全郗班仰秋仲伊宫宁仇栾暴甘钭厉戎祖武符刘景詹束龙叶幸"
    "司韶郜黎蓟薄印宿白怀蒲邰从鄂索咸籍赖卓蔺屠蒙池乔阴郁胥能苍双闻莘党翟谭贡劳逄姬申扶堵冉"
    "宰郦雍却璩桑桂濮牛寿通边扈燕冀郏浦尚农温别庄晏柴瞿阎充慕连茹习宦艾鱼容向古易慎戈廖庾终"
    "暨居衡步都耿满弘匡国文寇广禄阙东欧殳沃利蔚越夔隆师巩厍聂晁勾敖融冷訾辛阚那简饶空曾毋沙"
    "乜养鞠须丰巢关蒯相查后荆红游竺权逯盖益桓公仉督岳帅缑亢况郈有琴归海晋楚闫法汝鄢涂钦商牟"
    "佘佴伯赏墨哈谯笪年爱阳佟付代覃冼麦揭郇谌区练仝邸矫铁银庹冶锁达问候晃税楼邝"
)

#: Two-character surnames.
COMPOUND_SURNAMES = words(
    "欧阳 诸葛 司马 上官 东方 皇甫 尉迟 公孙 慕容 令狐 长孙 宇文 司徒 夏侯 独孤 端木 南宫 西门"
    " 呼延 万俟 轩辕 澹台 钟离 闻人 申屠 太史 公冶 濮阳 淳于 单于 赫连 拓跋 完颜 百里 东郭 南门"
)

#: How given names of Tibetan and Mongolian officials often open (多杰, 扎西, 次仁, 巴特尔 …):
#: accepted as the first character of a name only after a position (never as a bare subject).
MINORITY_OPENINGS = frozenset("多扎次达格洛旦尼才索拉普央卓德益加贡土嘎巴乌额其斯宝图阿布买热")

#: Two-character words that follow a title but are no name (局长多次…, 主任期间…).
NOT_NAMES = frozenset(
    words(
        "期间 多次 多名 多人 先后 同志 职务 一职 任内 以来 之后 时期 及其 等人 本人 其中 同时 随后"
        " 目前 此前 近日 最终 最后 分别 相继 后来 随即 相关 有关 部分 全部 一起 一同 带头 个人 身份"
        " 任上 任期 位置 岗位 人选 之职 助理 兼任 在任 离任 退休 均已 也被 还有 就是 作为 其他 所在"
        " 以上 以下 以及 班子 成员 主要 负责 工作 单位 以外 之外 一人 二人 三人 四人 五人 双方 二级"
        " 三级 四级 一级 不力 失职 人员 干部 职工 群众 党员"
        # common words that open with a surname character (严重, 问题, 谈话 …)
        " 严重 严肃 严格 严厉 问题 谈话 热衷 高度 全面 全体 关于 通过 经过 方面 常态 向上 周边 应当"
        " 管理 安全 任何 任务 任性 能够 能力 成为 于是 明确 明显 包括 甘于 曾经 曾任 时候 时间 平时"
        " 从严 从重 从事 从而 尚未 党委 党组 当地 当前 简单 双重 申请 文件 方式 方法 方案 高档 高压"
        " 强化 强调 支持 项目 程序 经济 经营 宣传 公开 公款 公务 公车 公司 廉洁 农村 农业 都是 将其"
        " 连续 计划 成效 和其 向其 对其 与其 及时 和谐 利用 利益 违规 花费 金额 路线 齐心 万元 余元"
        " 元旦 春节 中秋 国庆 端午 节日 节假 多年 多家 多个 多处 多地 多方 多种 多项 多起 次日 达到"
        " 格外 洛阳 巴黎 阿里 乌鲁 其间 其后 其中 德才 加强 加大 布置 图片 宝贵 土地"
    )
)

#: Words that may follow a name (what is said about the person starts here), longest first.
FOLLOWERS = tuple(
    sorted(
        words(
            "被 涉嫌 违规 违反 违纪 违法 接受 受到 因 等 还 在 的 利用 搞 收受 先后 多次 长期 擅自 未"
            " 不 与 和 及 对 将 为 于 任 担任 严重 主动 目前 已 曾 借 通过 伙同 安排 组织 要求 同意"
            " 默许 违背 插手 干预 挪用 贪污 受贿 滥用 玩忽 失职 举办 乱作为 政绩观 落实 贯彻 不作为"
            " 以 把 从 自 是 所 个人 公款 虚假 虚增 弄虚 盲目 热衷 带领 使用 借用 履职 无视 丧失 背弃"
            " 大搞 案 问题 及其 说 表示 介绍 分析 坦言 交代 向 让 即 就 也 又 便 都 则 均 之 这 其 一"
            " 身为 作为 忏悔 落马 成为 事件 同志 本人 一案 存在 出逃 酒后 酒驾 醉驾 参加 此前 到案"
            " 同样 相继 后 时 期间 所在 在任 任职 退休 主持 分管 家属 妻子 亲属 之子 之女 等人"
        ),
        key=len,
        reverse=True,
    )
)

#: Characters that end a name outright (punctuation, spaces, digits, brackets).
_PUNCT = set("，。、；：！？“”\"'‘’（）()《》【】[]… \t\n—-·0123456789")
_DOT = "·•・‧"
HAN = re.compile(r"[\u4e00-\u9fff]")
_DOTTED = re.compile(rf"[\u4e00-\u9fff]{{1,10}}(?:[{_DOT}][\u4e00-\u9fff]{{1,10}})+")


def _dotted(text: str, start: int) -> str | None:
    """A name written with middle dots (艾合买提·吐尔逊), whole: its last part is the shortest
    (2+ characters) that ends at a boundary, so the words after it are never swallowed."""
    match = _DOTTED.match(text, start)
    if not match:
        return None
    whole = match.group(0)
    last_dot = max(whole.rfind(dot) for dot in _DOT)
    for end in range(last_dot + 3, len(whole) + 1):
        if is_boundary(text, start + end):
            return whole[:end]
    return None


def is_han(ch: str) -> bool:
    return bool(HAN.fullmatch(ch))


def is_boundary(text: str, at: int) -> bool:
    """True when a name may end just before `text[at]`."""
    if at >= len(text) or text[at] in _PUNCT:
        return True
    return text.startswith(FOLLOWERS, at)


def _placeholder(name: str) -> bool:
    return "某" in name or any(ch in name for ch in "XＸ×*＊") or name in NOT_NAMES


def name_lengths(name_start: str, minority: bool) -> tuple[int, ...]:
    """Name lengths possible for text opening with a surname, shortest first (empty: no surname)."""
    if name_start[:2] in COMPOUND_SURNAMES:
        return (3, 4)
    if name_start[:1] in SURNAMES:
        return (2, 3)
    if minority and name_start[:1] in MINORITY_OPENINGS:
        return (2, 3)
    return ()


def read_name(text: str, start: int, minority: bool = True) -> str | None:
    """The person's name written at `text[start]`, or None when no name fits there exactly.

    `minority`: also accept the openings of Tibetan/Mongolian given names (right after a
    position only, where the title vouches that a person follows).
    """
    dotted = _dotted(text, start)
    if dotted:
        return dotted
    fits = []
    for length in name_lengths(text[start : start + 2], minority):
        name = text[start : start + length]
        if (
            len(name) == length
            and all(is_han(ch) for ch in name)
            and not _placeholder(name)
            and is_boundary(text, start + length)
        ):
            fits.append(name)
    if len(fits) <= 1:
        return fits[0] if fits else None
    short, long = fits[0], fits[-1]
    return _prefer(text, short, long)


def _prefer(text: str, short: str, long: str) -> str:
    """Both readings fit: the longer one when every occurrence of the shorter continues into it
    (陈小兵 … 陈小兵), the shorter when it also stands alone elsewhere (张智已被 … 张智借 …);
    with one occurrence only, the shorter when the extra character is itself a boundary word."""
    shorts = text.count(short)
    if shorts > 1:
        return long if text.count(long) == shorts else short
    return short if long[-1:] and long[len(short) :].startswith(FOLLOWERS) else long


@lru_cache(maxsize=4096)
def plausible_subject(name: str) -> bool:
    """A bare 2–3 character name with no position before it (… ，姚伟国被“双开”): only common
    surnames, no minority openings, no placeholder."""
    return bool(name_lengths(name, minority=False)) and not _placeholder(name)
