"""Line-level boilerplate removal, in both scripts; the seed acceptance test."""

from __future__ import annotations

import pytest

from govcrawler.cleaning.boilerplate import is_boilerplate_line, strip_boilerplate_lines
from govcrawler.cleaning.text import clean_lines, normalize_space
from tests.conftest import DATA, shared_path


def clean_text(text: str) -> list[str]:
    return strip_boilerplate_lines(clean_lines(text.splitlines()))


def test_seed_page_reduces_to_its_eight_paragraphs() -> None:
    """Acceptance (issue 2): the real seed page keeps exactly its 8 article paragraphs, in order."""
    text = shared_path("seed", "000_1a6c1950e83f2ccb.txt").read_text("utf-8")
    paragraphs = clean_text(text)
    assert len(paragraphs) == 8
    source_lines = clean_lines(text.splitlines())
    first = next(i for i, line in enumerate(source_lines) if line.startswith("6月6日下午"))
    assert paragraphs == source_lines[first : first + 8]
    assert paragraphs[-1].startswith("會前,")


def test_seed_structure_with_our_own_text() -> None:
    """The seed's boilerplate layout around paragraphs we wrote: only the paragraphs survive."""
    paragraphs = clean_text((DATA / "seed_like.txt").read_text("utf-8"))
    assert len(paragraphs) == 4
    assert paragraphs[0].startswith("11月18日上午")
    assert paragraphs[-1].startswith("會上,")


@pytest.mark.parametrize(
    "line",
    [
        "版权所有 中共安徽省纪律检查委员会 安徽省监察委员会 | 未经许可禁止复制或镜像",
        "版權所有 中共安徽省紀律檢查委員會",
        "©中共中央纪律检查委员会 中华人民共和国国家监察委员会 版权所有",
        "京ICP备 15039510号",
        "ICP備案:皖ICP備07004725號-31",
        "京公网安备 11010202007423号",
        "合肥市包河区中山路1号 邮政编码:230091",
        "主办单位：某某省纪委监委",
        "安徽新媒体集团技术支持",
        "技術支持：某某科技有限公司",
        "请输入验证码",
        "請輸入驗證碼",
        "手机站 客户端 微信 微博",
        "手機站",
        "客戶端",
        "【打印本页】 【关闭窗口】",
        "打印 | 关闭",
        "字号：大 中 小",
        "字體大小：大 中 小",
        "分享到：",
        "上一篇：某地召开警示教育大会",
        "下一篇：",
        "返回首页",
        "当前位置：首页 > 审查调查",
        "您当前的位置：首页 > 审查调查",
        "您现在所在的位置: 首页 > 通知公告",
        "微信扫一扫：分享",
    ],
)
def test_boilerplate_lines_are_recognised(line: str) -> None:
    assert is_boilerplate_line(normalize_space(line))


@pytest.mark.parametrize(
    "line",
    [
        "中央纪委国家监委网站讯 据安徽省纪委监委消息：某市原副市长接受审查调查。",
        "经查，他在担任某公司负责人期间，利用职务便利为他人在承揽工程、技术支持等方面谋取利益，并收受财物。",
        "该县纪委监委通过微信公众号、微博等平台公开曝光典型问题，持续释放越往后执纪越严的强烈信号。",
        "会议要求，要认真打印分发学习材料，组织干部逐条对照检查。",
        "（宣城市纪委）",
    ],
)
def test_content_that_mentions_such_words_stays(line: str) -> None:
    assert not is_boilerplate_line(line)


def test_profile_phrases_extend_the_rules() -> None:
    lines = ["正文第一段。", "某某新媒体中心 制作"]
    assert strip_boilerplate_lines(lines) == lines
    assert strip_boilerplate_lines(lines, ["某某新媒体中心"]) == ["正文第一段。"]
