"""The channels finews ships with, and the rules that fill them: data, which editors change in
the admin (频道, 规则). A site that already has channels of these names keeps its own."""
from django.db import migrations

CHANNELS = [
    ("a-shares", "A股", "沪深北交易所的股票、指数、资金与公司"),
    ("hk-stocks", "港股", "香港市场的股票、指数与南向资金"),
    ("us-stocks", "美股", "美国市场的股票、指数与中概股"),
    ("forex", "外汇", "人民币与各国货币的汇率"),
    ("commodities", "商品", "原油、金属、农产品等大宗商品与期货"),
    ("central-banks", "央行", "各国央行的货币政策与操作"),
    ("macro", "宏观", "经济数据与经济政策"),
]

# (channel slug, rule name, words (any), words it must not contain, markets of named securities)
RULES = [
    ("a-shares", "A股：提到沪深北证券", "", "", "SH,SZ,BJ"),
    ("a-shares", "A股：市场用语", """A股 沪指 上证指数 上证综指 深成指 深证成指 创业板指 科创50 沪深300 中证500 两市 北向资金 北上资金
        沪股通 深股通 科创板 创业板 北交所 上交所 深交所 证监会 龙虎榜 融资余额 两融 次新股 涨停 地天板 天地板 ST板块 互动平台 互动易
        e互动 券商 研报 评级 板块 概念股 A50 午间公告 晚间公告 盘前公告""", "港股 美股 .HK 港元 期货交易所 主力合约 合约", ""),
    ("hk-stocks", "港股：提到港股证券", "", "", "HK"),
    ("hk-stocks", "港股：市场用语", """港股 恒指 恒生指数 恒生科技 国企指数 H股 港交所 香港交易所 联交所 南向资金 南下资金 港股通 .HK 港元""", "", ""),
    ("us-stocks", "美股：提到美股证券", "", "", "US"),
    ("us-stocks", "美股：市场用语", """美股 道指 道琼斯 纳指 纳斯达克 标普500 标普 中概 纽交所 纽约证券交易所 美国证券交易委员会 美国证监会
        苹果公司 特斯拉 英伟达 亚马逊 微软 谷歌 Meta 苹果 iPhone""", "港股苹果概念股 苹果概念股", ""),
    ("forex", "外汇：汇率用语", """汇率 人民币兑 兑美元 对美元 中间价 在岸人民币 离岸人民币 美元指数 美元兑 欧元兑 英镑兑 日元兑 外汇储备 外汇局 汇价""",
     "", ""),
    ("commodities", "商品：大宗商品与期货", """原油 油价 布伦特 WTI 黄金 金价 白银 铜价 沪铜 铁矿石 螺纹钢 钢材 焦煤 焦炭 动力煤 大宗商品 商品期货 期货交易所
        主力合约 天然气 大豆 美豆 豆粕 玉米 棉花 生猪 猪肉价格 橡胶 铝价 镍价 碳酸锂 OPEC 欧佩克 上期所 大商所 郑商所 广期所
        USDA 供需报告""",
     "黄金周 黄金期 黄金时期 黄金时代 黄金时间 黄金珠宝 黄金赛道 黄金搭档 黄金地段 黄金十年 股指期货 A50指数期货", ""),
    ("central-banks", "央行：货币政策", """央行 人民银行 人行 美联储 联储 欧洲央行 欧央行 日本央行 英国央行 英格兰银行 加拿大央行 澳洲联储 澳大利亚央行
        瑞士央行 印度央行 土耳其央行 俄罗斯央行 货币政策 利率决议 加息 降息 降准 逆回购 MLF 中期借贷便利 LPR 贷款市场报价利率 公开市场操作
        鲍威尔 拉加德 易纲 潘功胜 植田和男 黑田东彦 存款准备金 联邦基金利率 shibor SHIBOR Shibor 缩债 缩表 Taper""",
     "跌停 涨停 主力合约", ""),
    ("macro", "宏观：经济数据与政策", """GDP 国内生产总值 CPI PPI PMI 社融 社会融资 M2 统计局 国家统计局 经济数据 通胀 通货膨胀 非农 失业率 就业数据
        零售销售 工业增加值 固定资产投资 进出口 外贸 贸易顺差 贸易逆差 财政政策 财政部 发改委 国务院 国常会 债务上限 十四五 税收减免 减税
        专项债 稳增长 经济工作会议""", "国债中标", ""),
]


# Market words are looked for in the title and the lead; the others in the title alone, since a
# company's or a market's news often names 央行, 原油 or GDP in passing further down.
SCOPES = {"a-shares": "lead", "hk-stocks": "lead", "us-stocks": "lead"}


def ship(apps, schema_editor):
    Channel = apps.get_model("news", "Channel")
    Rule = apps.get_model("news", "Rule")
    made = {}
    for position, (slug, name, description) in enumerate(CHANNELS):
        if Channel.objects.filter(name=name).exists() or Channel.objects.filter(slug=slug).exists():
            continue
        made[slug] = Channel.objects.create(slug=slug, name=name, description=description, position=position)
    for position, (slug, name, words, exclude, markets) in enumerate(RULES):
        if slug in made:
            Rule.objects.create(name=name, channel=made[slug], position=position * 10, markets=markets, scope=SCOPES.get(slug, "title"),
                                words="\n".join(words.split()), exclude="\n".join(exclude.split()))


def unship(apps, schema_editor):
    apps.get_model("news", "Rule").objects.filter(name__in=[rule[1] for rule in RULES]).delete()
    apps.get_model("news", "Channel").objects.filter(slug__in=[channel[0] for channel in CHANNELS]).delete()


class Migration(migrations.Migration):
    dependencies = [("news", "0023_channels_and_rules")]
    operations = [migrations.RunPython(ship, unship)]
