"""Case extraction as pure functions: names, positions, measures, dates, regions, whole articles."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from govcrawler.extraction.cases import extract_cases
from govcrawler.extraction.cases.actions import find_actions, stated_date
from govcrawler.extraction.cases.names import read_name
from govcrawler.extraction.cases.positions import normalise, position_before, same_position
from govcrawler.extraction.cases.regions import region_of_position

from .conftest import DATA


def name_after(text: str, before: str) -> str | None:
    return read_name(text, text.index(before) + len(before))


@pytest.mark.parametrize(
    ("text", "title", "name"),
    [
        ("某国有企业原总经理付毅被立案审查调查", "总经理", "付毅"),  # 被 is no name character
        ("某局原副局长伍丕成涉嫌严重违纪违法", "副局长", "伍丕成"),  # three characters, 涉嫌 after
        ("某镇原党委书记张涵等人受到党内警告处分", "书记", "张涵"),
        ("交通运输局原局长林等闲违规公款吃喝问题", "局长", "林等闲"),  # 等 inside the name
        ("某局原局长卜一凡严重违纪违法", "局长", "卜一凡"),  # 一 inside the name
        ("原副总裁诸葛明远涉嫌严重违纪违法", "副总裁", "诸葛明远"),  # two-character surname
        ("原副县长艾合买提·吐尔逊涉嫌严重违纪违法", "副县长", "艾合买提·吐尔逊"),
        ("原副司长彭付平、陈佳元、张智已被开除党籍。张智借审核之机收受钱物", "副司长", "彭付平"),
        ("…纪委原书记张智已被开除党籍。张智借机收受钱物", "书记", "张智"),  # 张智已: recurs as 张智
        ("原总队长陈小兵违规收受礼金。陈小兵还存在其他问题", "总队长", "陈小兵"),
    ],
)
def test_names_are_read_whole_and_never_truncated(text: str, title: str, name: str) -> None:
    assert name_after(text, title) == name


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("某街道原副主任王某某违规收受礼品", "副主任"),
        ("某局原科员赵某违规发放补贴", "科员"),
        ("该局原局长多次收受礼金", "局长"),  # a word, not a name
        ("全国共查处省部级领导干部问题5起", "干部"),
    ],
)
def test_placeholders_and_words_are_no_names(text: str, title: str) -> None:
    assert name_after(text, title) is None


@pytest.mark.parametrize(
    ("text", "name", "position"),
    [
        (
            "经查，时任常德市某区区委常委、组织部部长秦望舒在工作日饮酒",
            "秦望舒",
            "常德市某区区委常委、组织部部长",
        ),
        ("今年1月被开除党籍和公职的湖南省某厅原副厅长周一鸣，", "周一鸣", "湖南省某厅原副厅长"),
        ("监察专员办公室查处了某集团原副总经理章一航多次收受", "章一航", "某集团原副总经理"),
        ("一、九江市某区原副区长甘露违规收受礼品礼金问题。", "甘露", "九江市某区原副区长"),
        (
            "河北省某市委原常委、统战部原部长，某县委原书记谷一海违规",
            "谷一海",
            "河北省某市委原常委、统战部原部长，某县委原书记",
        ),
        ("某司（以下简称甲司）原副司长彭一平、", "彭一平", "某司（以下简称甲司）原副司长"),
        (
            "对某集团有限公司原党委书记、董事长钟一衡严重违纪违法问题",
            "钟一衡",
            "某集团有限公司原党委书记、董事长",
        ),
    ],
)
def test_position_is_the_title_phrase_right_before_the_name(
    text: str, name: str, position: str
) -> None:
    assert position_before(text, text.index(name)) == position


def test_a_list_of_people_gives_each_their_own_position() -> None:
    text = "某部某司原副司长彭一平、安全监察处原副处长陈二元，被开除党籍"
    floor = text.index("彭一平") + 3
    assert position_before(text, text.index("陈二元"), floor) == "安全监察处原副处长"


def test_no_title_before_the_name_means_no_position() -> None:
    text = "时任某集团党委书记、董事长的王一锋，出席了仪式"
    assert position_before(text, text.index("王一锋")) is None


@pytest.mark.parametrize(
    ("sentence", "actions"),
    [
        (
            "2022年1月，张三被开除党籍、开除公职，其涉嫌犯罪问题被移送检察机关依法审查起诉。",
            {"开除党籍", "开除公职", "移送检察"},
        ),
        ("张三严重违纪违法被开除党籍和公职", {"开除党籍", "开除公职"}),
        ("今年1月，张三被“双开”", {"开除党籍", "开除公职"}),
        ("张三受到党纪政务处分", {"党纪处分", "政务处分"}),
        ("张三受到党内严重警告、政务记大过处分", {"党纪处分", "政务处分"}),
        ("张三受到诫勉处理，并被免去科长职务", {"组织处理"}),
        ("张三因犯受贿罪，被判处有期徒刑八年", {"其他"}),
        ("张三被开除党籍、取消退休待遇", {"开除党籍", "其他"}),
        (
            "张三涉嫌严重违纪违法，目前正接受某市纪委监委驻某局纪检监察组纪律审查和某区监委监察调查",
            {"审查调查"},
        ),
        ("依据《中华人民共和国公职人员政务处分法》等有关规定", set()),  # a law's name
    ],
)
def test_measures_are_normalised(sentence: str, actions: set[str]) -> None:
    found = {a for f in find_actions(sentence) for a in f.actions}
    assert found == actions


def test_each_gei_yu_keeps_its_own_person_and_measures() -> None:
    sentence = "决定给予温一开除党籍、开除公职处分，给予时二留党察看二年、政务撤职处分。"
    found = find_actions(sentence)
    assert [f.actions for f in found] == [("开除党籍", "开除公职"), ("党纪处分", "政务处分")]


@pytest.mark.parametrize(
    ("text", "published", "date"),
    [
        ("2022年1月，张三被开除党籍", None, "2022-01"),
        ("今年1月被开除党籍和公职的", "2022-09-08T10:00:00+08:00", "2022-01"),
        ("去年6月，张三因严重违纪违法被开除党籍", "2023-02-01T09:00:00+08:00", "2022-06"),
        ("4月11日，张三被公布接受审查调查", "2023-04-18T09:00:00+08:00", "2023-04-11"),
        ("张三被开除党籍", "2023-04-18T09:00:00+08:00", None),
    ],
)
def test_stated_dates(text: str, published: str | None, date: str | None) -> None:
    assert stated_date(text, published) == date


@pytest.mark.parametrize(
    ("position", "context", "default", "region"),
    [
        ("广西壮族自治区政府原党组成员、副主席", "", None, "广西"),
        ("海南藏族自治州某县原县长", "", None, "青海"),  # not 海南
        ("芜湖市人民政府原党组成员、副市长", "", None, "安徽"),
        ("中国光大银行南宁分行原党委书记、行长", "", None, "广西"),  # a place beats 中国
        ("中国储备粮管理集团有限公司原党组成员、副总经理", "", None, "中央"),
        ("交通运输部某司原副司长", "", None, "中央"),
        ("省委委员、省农业农村厅党组书记、厅长", "经查，时任青海省委委员…", None, "青海"),
        ("某区原区委副书记、区长", "", "宁夏", "宁夏"),  # a provincial site's region
        ("某集团原副总经理", "", None, None),
    ],
)
def test_regions(position: str, context: str, default: str | None, region: str | None) -> None:
    assert region_of_position(position, context, default) == region


def test_positions_agree_across_order_and_spelling() -> None:
    assert same_position(
        "陕西省西安市原副市长、市公安局原局长", "西安市公安局原局长、市政府原副市长"
    )
    assert same_position("芜湖市人民政府原党组成员、副市长", "安徽省芜湖市原副市长")
    assert same_position("某集团有限公司原党委书记、董事长", "某集团有限公司原董事长")
    assert not same_position("宝鸡市某镇原镇长", "西安市公安局原局长")
    assert normalise(None) == frozenset()


def record(**fields: Any) -> dict[str, Any]:
    base = {
        "id": "t:1",
        "site": "test",
        "site_name": "测试省纪委监委",
        "url": "https://example.invalid/1",
        "column": None,
        "title": "标题",
        "published_at": "2026-05-01T09:00:00+08:00",
        "body": "",
    }
    return {**base, **fields}


def test_headline_announcement() -> None:
    rows = extract_cases(
        record(
            site_name="中央纪委国家监委",
            column="中管干部",
            title="湖北省某厅原党组书记、厅长闻人一川接受中央纪委国家监委纪律审查和监察调查",
            body="中央纪委国家监委网站讯 湖北省某厅原党组书记、厅长闻人一川涉嫌严重违纪违法，"
            "目前正接受中央纪委国家监委纪律审查和监察调查。",
        )
    )
    assert len(rows) == 1
    row = rows[0]
    assert (row.name, row.position, row.region, row.level) == (
        "闻人一川",
        "湖北省某厅原党组书记、厅长",
        "湖北",
        "中管干部",
    )
    assert row.actions == ["审查调查"] and row.offence == "严重违纪违法"
    assert row.id == "t:1#闻人一川"
    assert row.evidence == [  # the exact sentences the measure was read from
        "湖北省某厅原党组书记、厅长闻人一川接受中央纪委国家监委纪律审查和监察调查",
        "中央纪委国家监委网站讯 湖北省某厅原党组书记、厅长闻人一川涉嫌严重违纪违法，"
        "目前正接受中央纪委国家监委纪律审查和监察调查。",
    ]


def test_speakers_quoted_leaders_and_unnamed_people_are_no_cases() -> None:
    body = (
        "“查处一案、警示一片。”某市纪委书记、监委主任郝一远说。\n"
        "某市纪委监委第三审查调查室主任贺二岚介绍，该市已移送司法机关的5名干部中，有3人来自工程领域。\n"
        "省委书记汪三航在会上强调，要严肃查处群众身边的腐败问题。\n"
        "某局原副局长王某某受到党内警告处分，有关人员受到相应处理。"
    )
    assert extract_cases(record(body=body)) == []


def test_a_pronoun_carries_the_person_into_the_next_clause() -> None:
    body = (
        "经查，卜一凡违规收受礼品礼金。\n"
        "决定给予卜一凡开除党籍处分；由省监委给予其开除公职处分；将其涉嫌犯罪问题移送检察机关依法审查起诉。"
    )
    rows = extract_cases(record(body=body, title="某局原局长卜一凡被开除党籍和公职"))
    assert [(r.name, r.actions, r.position) for r in rows] == [
        ("卜一凡", ["开除党籍", "开除公职", "移送检察"], "某局原局长")
    ]


def test_a_vague_measure_counts_only_when_nothing_specific_is_said() -> None:
    body = "某市某局原局长温一舟被严肃查处。2025年3月，温一舟被开除党籍。\n某县原县长时二川被查处。"
    rows = {r.name: r for r in extract_cases(record(body=body))}
    assert rows["温一舟"].actions == ["开除党籍"]
    assert rows["时二川"].actions == ["其他"]
    assert rows["温一舟"].stages[0].date == "2025-03"


def test_tombstones_have_no_cases() -> None:
    assert extract_cases({"id": "t:1", "removed": True, "title": "x", "url": "u"}) == []


def test_traditional_script_keeps_the_names_as_written() -> None:
    rows = extract_cases(
        record(
            title="宣城市政協原黨組成員、副主席陸一澤接受紀律審查和監察調查",
            body="據安徽省紀委監委消息：宣城市政協原黨組成員、副主席陸一澤涉嫌嚴重違紀違法，目前正接受紀律審查和監察調查。",
        )
    )
    assert [(r.name, r.position, r.region, r.actions) for r in rows] == [
        ("陸一澤", "宣城市政協原黨組成員、副主席", "安徽", ["审查调查"])
    ]


def own_pages() -> list[dict[str, Any]]:
    path: Path = DATA / "cases" / "own_pages.jsonl"
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def test_rows_validate_against_the_published_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(
        (Path(__file__).resolve().parents[1] / "govcrawler/schema/case.schema.json").read_text()
    )
    rows = [row.to_dict() for page in own_pages() for row in extract_cases(page)]
    assert rows
    for row in rows:
        jsonschema.validate(row, schema)
