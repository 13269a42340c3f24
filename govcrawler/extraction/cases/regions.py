"""Which province-level region a position belongs to, or 中央 for central bodies.

General data only (no site names): the 31 province-level regions with their short names, the
prefecture-level divisions of each (so 芜湖市… is 安徽), and the words that open the name of a
central organ, a national body or a central state-owned enterprise. Region values are the
province's short name (安徽, 内蒙古, 广西 …) or 中央.
"""

from __future__ import annotations

import re
from functools import lru_cache

CENTRAL = "中央"

#: Short name → full names. Order does not matter: the longest match at a place wins.
PROVINCES: dict[str, tuple[str, ...]] = {
    "北京": ("北京市",),
    "天津": ("天津市",),
    "河北": ("河北省",),
    "山西": ("山西省",),
    "内蒙古": ("内蒙古自治区",),
    "辽宁": ("辽宁省",),
    "吉林": ("吉林省",),
    "黑龙江": ("黑龙江省",),
    "上海": ("上海市",),
    "江苏": ("江苏省",),
    "浙江": ("浙江省",),
    "安徽": ("安徽省",),
    "福建": ("福建省",),
    "江西": ("江西省",),
    "山东": ("山东省",),
    "河南": ("河南省",),
    "湖北": ("湖北省",),
    "湖南": ("湖南省",),
    "广东": ("广东省",),
    "广西": ("广西壮族自治区",),
    "海南": ("海南省",),
    "重庆": ("重庆市",),
    "四川": ("四川省",),
    "贵州": ("贵州省",),
    "云南": ("云南省",),
    "西藏": ("西藏自治区",),
    "陕西": ("陕西省",),
    "甘肃": ("甘肃省",),
    "青海": ("青海省",),
    "宁夏": ("宁夏回族自治区",),
    "新疆": ("新疆维吾尔自治区", "新疆生产建设兵团"),
}

#: Prefecture-level divisions (市, 自治州, 地区, 盟) by province, written without their suffix.
PREFECTURES: dict[str, str] = {
    "河北": "石家庄 唐山 秦皇岛 邯郸 邢台 保定 张家口 承德 沧州 廊坊 衡水 雄安",
    "山西": "太原 大同 阳泉 长治 晋城 朔州 晋中 运城 忻州 临汾 吕梁",
    "内蒙古": "呼和浩特 包头 乌海 赤峰 通辽 鄂尔多斯 呼伦贝尔 巴彦淖尔 乌兰察布 兴安盟"
    " 锡林郭勒 阿拉善",
    "辽宁": "沈阳 大连 鞍山 抚顺 本溪 丹东 锦州 营口 阜新 辽阳 盘锦 铁岭 朝阳 葫芦岛",
    "吉林": "长春 四平 辽源 通化 白山 松原 白城 延边",
    "黑龙江": "哈尔滨 齐齐哈尔 鸡西 鹤岗 双鸭山 大庆 伊春 佳木斯 七台河 牡丹江 黑河 绥化 大兴安岭",
    "江苏": "南京 无锡 徐州 常州 苏州 南通 连云港 淮安 盐城 扬州 镇江 泰州 宿迁",
    "浙江": "杭州 宁波 温州 嘉兴 湖州 绍兴 金华 衢州 舟山 台州 丽水",
    "安徽": "合肥 芜湖 蚌埠 淮南 马鞍山 淮北 铜陵 安庆 黄山 滁州 阜阳 宿州 六安 亳州 池州 宣城",
    "福建": "福州 厦门 莆田 三明 泉州 漳州 南平 龙岩 宁德",
    "江西": "南昌 景德镇 萍乡 九江 新余 鹰潭 赣州 吉安 宜春 抚州 上饶",
    "山东": "济南 青岛 淄博 枣庄 东营 烟台 潍坊 济宁 泰安 威海 日照 临沂 德州 聊城 滨州 菏泽",
    "河南": "郑州 开封 洛阳 平顶山 安阳 鹤壁 新乡 焦作 濮阳 许昌 漯河 三门峡 南阳 商丘 信阳"
    " 周口 驻马店 济源",
    "湖北": "武汉 黄石 十堰 宜昌 襄阳 鄂州 荆门 孝感 荆州 黄冈 咸宁 随州 恩施 仙桃 潜江 天门"
    " 神农架",
    "湖南": "长沙 株洲 湘潭 衡阳 邵阳 岳阳 常德 张家界 益阳 郴州 永州 怀化 娄底 湘西",
    "广东": "广州 韶关 深圳 珠海 汕头 佛山 江门 湛江 茂名 肇庆 惠州 梅州 汕尾 河源 阳江 清远"
    " 东莞 中山 潮州 揭阳 云浮",
    "广西": "南宁 柳州 桂林 梧州 北海 防城港 钦州 贵港 玉林 百色 贺州 河池 来宾 崇左",
    "海南": "海口 三亚 三沙 儋州",
    "四川": "成都 自贡 攀枝花 泸州 德阳 绵阳 广元 遂宁 内江 乐山 南充 眉山 宜宾 广安 达州"
    " 雅安 巴中 资阳 阿坝 甘孜 凉山",
    "贵州": "贵阳 六盘水 遵义 安顺 毕节 铜仁 黔西南 黔东南 黔南",
    "云南": "昆明 曲靖 玉溪 保山 昭通 丽江 普洱 临沧 楚雄 红河 文山 西双版纳 大理 德宏 怒江 迪庆",
    "西藏": "拉萨 日喀则 昌都 林芝 山南 那曲 阿里",
    "陕西": "西安 铜川 宝鸡 咸阳 渭南 延安 汉中 榆林 安康 商洛 杨凌",
    "甘肃": "兰州 嘉峪关 金昌 白银 天水 武威 张掖 平凉 酒泉 庆阳 定西 陇南 临夏 甘南",
    "青海": "西宁 海东 海北 黄南 海南藏族自治州 果洛 玉树 海西",
    "宁夏": "银川 石嘴山 吴忠 固原 中卫",
    "新疆": "乌鲁木齐 克拉玛依 吐鲁番 哈密 昌吉 博尔塔拉 巴音郭楞 阿克苏 克孜勒苏 喀什 和田"
    " 伊犁 塔城 阿勒泰 石河子",
}

#: A position that opens with one of these (after 原/时任) belongs to a central body.
CENTRAL_OPENINGS = (
    "中央",
    "中共中央",
    "国家",
    "全国",
    "国务院",
    "最高人民法院",
    "最高人民检察院",
    "中国",
    "中华全国",
    "中储粮",
    "中粮",
    "中石油",
    "中石化",
    "中海油",
    "中远海运",
    "中铁",
    "中建",
    "中交",
    "中核",
    "中航",
    "中化",
    "中信",
    "中车",
    "中冶",
    "中煤",
    "中船",
    "中铝",
    "中广核",
    "招商局",
    "华润",
    "华能",
    "华电",
    "大唐",
    "国投",
    "国网",
    "南方电网",
    "外交部",
    "国防部",
    "教育部",
    "科学技术部",
    "科技部",
    "工业和信息化部",
    "工信部",
    "公安部",
    "安全部",
    "民政部",
    "司法部",
    "财政部",
    "人力资源和社会保障部",
    "人社部",
    "自然资源部",
    "生态环境部",
    "住房和城乡建设部",
    "住建部",
    "交通运输部",
    "水利部",
    "农业农村部",
    "商务部",
    "文化和旅游部",
    "文旅部",
    "退役军人事务部",
    "应急管理部",
    "审计署",
    "海关总署",
    "统一战线工作部",
)


@lru_cache(maxsize=1)
def _names() -> tuple[re.Pattern[str], dict[str, str]]:
    """One alternation of every region name (longest first) and the region each one means."""
    region_of: dict[str, str] = {}
    for short, fulls in PROVINCES.items():
        region_of[short] = short
        for full in fulls:
            region_of[full] = short
    for province, names in PREFECTURES.items():
        for name in names.split():
            region_of.setdefault(name, province)
            if not name.endswith(("州", "盟", "地区")):
                region_of.setdefault(name + "市", province)
    # 吉林 is both a province and its city: the province reading wins (same region anyway).
    alternation = "|".join(sorted(map(re.escape, region_of), key=len, reverse=True))
    return re.compile(alternation), region_of


def explicit_region(text: str) -> str | None:
    """The region named first in `text` (a province, or a prefecture of one), else None."""
    pattern, region_of = _names()
    match = pattern.search(text)
    return region_of[match.group(0)] if match else None


def last_region(text: str) -> str | None:
    """The region named last in `text` (the context a bare 省/市 position refers to)."""
    pattern, region_of = _names()
    found = None
    for match in pattern.finditer(text):
        found = region_of[match.group(0)]
    return found


def is_central(position: str) -> bool:
    """True when the position opens with the name of a central organ, body or enterprise."""
    bare = position.removeprefix("时任").removeprefix("原")
    return bare.startswith(CENTRAL_OPENINGS)


def is_relative(position: str) -> bool:
    """A position that names no region of its own (省纪委…, 市财政局…, 县民政局…)."""
    bare = position.removeprefix("时任").removeprefix("原")
    return bare.startswith(("省", "市", "县", "区", "州", "自治区", "自治州", "该"))


def region_of_position(position: str | None, context: str, default: str | None) -> str | None:
    """The region of a position: its own region name, else 中央 for a central body, else for a
    position that opens with 省/市/县… the last region named in `context` (the text before it),
    else `default` (the region of a provincial site), else None."""
    if not position:
        return None
    own = explicit_region(position)
    if own:
        return own
    if is_central(position):
        return CENTRAL
    if is_relative(position):
        return last_region(context) or default
    return default
