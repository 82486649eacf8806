"""What the demo data is made of: people, producers, places and routes, all labelled 示例.

Plain tables only; `plan.py` turns them into dated records and `seed.py` writes them through
the services. Names, townships and products follow each county's real farming; the people,
companies and certificate numbers are invented.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from freshcircle.platform.models import PlaceKind, ProducerKind, Role

SAMPLE = "（示例）"
SAMPLE_NOTE = "示例数据"
DEMO_PASSWORD = "freshcircle-demo"


@dataclass(frozen=True)
class Person:
    phone: str
    name: str
    role: Role

    @property
    def display_name(self) -> str:
        return self.name + SAMPLE


@dataclass(frozen=True)
class SignIn:
    person: Person
    what_to_try: str


FARMER = Person("13900000001", "张建国", Role.FARMER)
COOP_ADMIN = Person("13900000002", "李秀兰", Role.COOP_ADMIN)
BUYER = Person("13900000003", "王海峰", Role.BUYER)
CARRIER = Person("13900000004", "赵志强", Role.CARRIER)
INSPECTOR = Person("13900000005", "陈静", Role.INSPECTOR)
ADMIN = Person("13900000006", "周明", Role.ADMIN)
# Manages the Jieshou co-op, which the dispatch day is about.
HANGZHOU_BUYER = Person("13900002002", "钱晓燕", Role.BUYER)  # a standing demand (求购)
JIESHOU_MANAGER = Person("13900001121", "丁保国", Role.COOP_ADMIN)

# What to try, per sign-in. `{name}` fields are filled from the seeded data when the table is
# printed (demo/walkthrough.py): lot codes carry the harvest date, so they differ with the day
# the demo was seeded. README.md shows the same rows with the fields as ‹name›.
SIGN_INS = (
    SignIn(FARMER, "我的批次 of the Taihe toon co-op; the spinach lot {spinach_lot}, harvested 3 "
                   "days after spraying, shows 安全间隔期未满; register a batch; on a batch page "
                   "打印标签 prints the QR labels (PDF), and the run page's "
                   "看看顾客扫第一包的二维码会看到什么 opens the shopper's page of the first "
                   "pack (authenticity, farm, tests, journey, cold-chain chart and "
                   "excursions, shelf life left); the toon lot {toon_lot}, delivered to "
                   "Shanghai, had a temperature excursion on the way; 生产主体 → 种植计划 lists "
                   "last season's plantings with what they gave and this season's; 订单农业: "
                   "a forward contract with the Shanghai buyer, 300 斤 of spinach a week at "
                   "¥3.00/斤, confirmed by both: register a spinach batch from 李营南湖地块2号 "
                   "harvested yesterday and this week's quantity is ordered for the buyer "
                   "first (订单); 申报缺货 tells the buyer"),
    SignIn(COOP_ADMIN, "manager of that co-op: members, inputs, residue tests, certifications"),
    SignIn(BUYER, "Shanghai buyer: 市场 finds 临泉白蒜 and the other listed lots with 元/斤 and "
                  "元/kg (search in pinyin too: suan, ds, xiangchun; 蒜头 finds 大蒜), order "
                  "into the cart and check out with dispatch day and freight; "
                  "通知 gets the recall notice when the inspector recalls a lot delivered to "
                  "the buyer's site; 预计供应 shows what Fuyang's producers expect to "
                  "harvest in the next 12 weeks, per product, with its likely range"),
    SignIn(CARRIER, "今日路线: tomorrow's stops by truck, once 13900001121 has accepted the "
                    "plan; 我的运单: "
                    "reefer trucks 皖K… to Shanghai, Hangzhou, Nanjing, the toon lot "
                    "{toon_lot}'s trip with a temperature excursion"),
    SignIn(INSPECTOR, "批次查询 across counties; the Jieshou celery lot {celery_lot} held "
                      "after a failed rapid test; 正向与逆向追溯 from any batch page (the merged "
                      "lot {merged_lot} has two inputs); recall the toon lot {toon_lot} "
                      "shipped to the Shanghai buyer (a confirm page first: the lot, its "
                      "quantity, who will be told) and see who was told; 召回记录 lists past "
                      "holds and recalls and exports the FSMA 204 spreadsheet"),
    SignIn(ADMIN, "users, producers and places; 搜索同义词: the market search's synonyms"),
    SignIn(JIESHOU_MANAGER,
           "manager of the Jieshou co-op: 车队 lists its four reefer trucks; 调度 "
           "plans tomorrow's nine orders from its cold store with one tap, and 采用方案 "
           "turns the plan into the shipments the carrier drives"),
    SignIn(HANGZHOU_BUYER,
           "Hangzhou buyer: 我的求购 shows a standing demand for 一级 大蒜 with the producers "
           "matched, ranked, and why; 发布求购 posts another (the Shanghai buyer's 菠菜 demand "
           "reaches 13900000001 in 通知 and 求购匹配, with 为这条求购报价)"),
)


@dataclass(frozen=True)
class Crop:
    """A product a producer grows: catalog name, variety, plot wording and batch size (kg)."""

    product_en: str
    variety: str | None
    plot: str
    kg: tuple[int, int]
    batches: int = 2


@dataclass(frozen=True)
class ProducerSpec:
    key: str
    county_code: str
    kind: ProducerKind
    name: str
    township: str
    village: str
    manager: Person
    crops: tuple[Crop, ...]
    members: tuple[Person, ...] = field(default=())

    @property
    def full_name(self) -> str:
        return self.name + SAMPLE


def _p(phone: str, name: str, role: Role = Role.FARMER) -> Person:
    return Person(phone, name, role)


SPINACH = "Spinach"
TOON = "Chinese toon shoots (Taihe xiangchun)"
LOTUS = "Lotus root"
CELERY = "Celery"
CABBAGE = "Chinese cabbage (napa)"
BROCCOLI = "Broccoli"
PAK_CHOI = "Pak choi / bok choy"
GARLIC = "Garlic (cured bulb)"
SWEET_POTATO = "Sweet potato (cured)"

PRODUCERS = (
    ProducerSpec(
        "yingzhou-lvyuan", "341202", ProducerKind.COOPERATIVE,
        "颍州区三合镇绿源蔬菜种植专业合作社", "三合镇", "孙庄",
        _p("13900001011", "孙德明", Role.COOP_ADMIN),
        (Crop(SPINACH, "大叶菠菜", "东地块", (800, 2500)),
         Crop(CELERY, "西芹", "北地块", (1000, 3000)),
         Crop(PAK_CHOI, "上海青", "大棚", (500, 1500), 1)),
        (_p("13900001012", "孙红梅"),),
    ),
    ProducerSpec(
        "yingzhou-liuzhuang", "341202", ProducerKind.FAMILY_FARM,
        "颍州区程集镇刘庄家庭农场", "程集镇", "刘庄",
        _p("13900001021", "刘永胜"),
        (Crop("Lettuce (leafy greens)", "奶油生菜", "大棚", (300, 900), 1),
         Crop("Green onion / scallion", "章丘大葱", "西地块", (500, 1500), 1)),
    ),
    ProducerSpec(
        "yingdong-xinnong", "341203", ProducerKind.COOPERATIVE,
        "颍东区口孜镇鑫农果蔬专业合作社", "口孜镇", "王楼",
        _p("13900001031", "王志刚", Role.COOP_ADMIN),
        (Crop(BROCCOLI, "耐寒优秀", "南地块", (1500, 4000)),
         Crop("Carrot (topped)", "红芯五寸", "沙地", (2000, 5000), 1)),
        (_p("13900001032", "王淑芬"), _p("13900001033", "马国庆")),
    ),
    ProducerSpec(
        "yingquan-huimin", "341204", ProducerKind.COOPERATIVE,
        "颍泉区闻集镇惠民设施蔬菜专业合作社", "闻集镇", "杨湖",
        _p("13900001041", "杨春生", Role.COOP_ADMIN),
        (Crop("Cucumber", "津优35号", "日光温室", (800, 2000)),
         Crop("Tomato (firm-ripe)", "粉果番茄", "日光温室", (600, 1800), 1),
         Crop("Mushroom (button)", "双孢菇", "菇棚", (300, 800), 1)),
    ),
    ProducerSpec(
        "linquan-fengshou", "341221", ProducerKind.COOPERATIVE,
        "临泉县姜寨镇丰收蔬菜种植专业合作社", "姜寨镇", "高营",
        _p("13900001051", "高玉兰", Role.COOP_ADMIN),
        (Crop("Chili pepper (hot)", "线椒", "东地块", (1000, 3000)),
         Crop(GARLIC, "临泉白蒜", "北地块", (2000, 6000), 1),
         Crop(CABBAGE, "北京新三号", "南地块", (3000, 8000), 1)),
        (_p("13900001052", "高建军"),),
    ),
    ProducerSpec(
        "linquan-laowei", "341221", ProducerKind.FAMILY_FARM,
        "临泉县杨桥镇老韦家庭农场", "杨桥镇", "韦寨",
        _p("13900001061", "韦长河"),
        (Crop(SWEET_POTATO, "烟薯25", "岗地", (3000, 9000)),
         Crop(GARLIC, "临泉白蒜", "河湾地", (1500, 4000), 1)),
    ),
    ProducerSpec(
        "taihe-lvxiang", "341222", ProducerKind.COOPERATIVE,
        "太和县绿香香椿种植专业合作社", "旧县镇", "李营",
        COOP_ADMIN,
        (Crop(TOON, "黑油椿", "香椿大棚", (200, 600), 3),
         Crop(SPINACH, "圆叶菠菜", "南湖地块", (800, 2000), 2),
         Crop("Green onion / scallion", "小香葱", "东地块", (400, 1200), 1)),
        (FARMER, _p("13900001071", "李卫东")),
    ),
    ProducerSpec(
        "taihe-jinsui", "341222", ProducerKind.FAMILY_FARM,
        "太和县税镇镇金穗家庭农场", "税镇镇", "马庄",
        _p("13900001081", "马春来"),
        (Crop(CABBAGE, "秋绿75", "西地块", (3000, 9000), 1),
         Crop("Carrot (topped)", "红芯五寸", "沙地", (1500, 4000), 1)),
    ),
    ProducerSpec(
        "funan-huaipan", "341225", ProducerKind.COOPERATIVE,
        "阜南县王家坝镇淮畔蔬菜专业合作社", "王家坝镇", "朱台",
        _p("13900001091", "朱明亮", Role.COOP_ADMIN),
        (Crop(SWEET_POTATO, "商薯19", "岗地", (4000, 12000)),
         Crop(PAK_CHOI, "上海青", "大棚", (600, 1500), 1),
         Crop(CELERY, "本芹", "庄前地块", (800, 2000), 1)),
        (_p("13900001092", "朱秀英"),),
    ),
    ProducerSpec(
        "yingshang-hexiang", "341226", ProducerKind.COOPERATIVE,
        "颍上县八里河镇荷香莲藕种植专业合作社", "八里河镇", "汪湖",
        _p("13900001101", "汪德福", Role.COOP_ADMIN),
        (Crop(LOTUS, "鄂莲5号", "藕塘", (3000, 8000), 3),),
        (_p("13900001102", "汪小燕"),),
    ),
    ProducerSpec(
        "yingshang-xingwang", "341226", ProducerKind.FAMILY_FARM,
        "颍上县谢桥镇兴旺家庭农场", "谢桥镇", "谢庄",
        _p("13900001111", "谢振华"),
        (Crop(GARLIC, "苍山蒜", "东地块", (1000, 3000), 1),
         Crop(SPINACH, "大叶菠菜", "北地块", (600, 1800), 1)),
    ),
    ProducerSpec(
        "jieshou-lvye", "341282", ProducerKind.COOPERATIVE,
        "界首市光武镇绿野蔬菜种植专业合作社", "光武镇", "丁集",
        JIESHOU_MANAGER,
        (Crop(CELERY, "西芹", "东地块", (1000, 3000), 3),
         Crop(CABBAGE, "北京新三号", "西地块", (3000, 8000)),
         Crop(BROCCOLI, "耐寒优秀", "南地块", (1000, 3000), 1)),
        (_p("13900001122", "丁玉梅"),),
    ),
)

PRODUCERS_BY_KEY = {spec.key: spec for spec in PRODUCERS}


@dataclass(frozen=True)
class PlaceSpec:
    name_zh: str
    name_en: str
    kind: PlaceKind
    latitude: str
    longitude: str
    admin_code: str | None = None
    admin_name: str | None = None
    producer_key: str | None = None


HUB = PlaceSpec("阜阳农产品冷链物流园" + SAMPLE, "Fuyang Produce Cold-Chain Park (sample)",
                PlaceKind.HUB, "32.905000", "115.878000", "341203", "颍东区")
TAIHE_STORE = PlaceSpec("太和县香椿保鲜冷库" + SAMPLE, "Taihe Toon Cold Store (sample)",
                        PlaceKind.COLD_STORE, "33.176000", "115.604000", "341222", "太和县",
                        "taihe-lvxiang")
YINGSHANG_STORE = PlaceSpec("颍上县八里河莲藕冷库" + SAMPLE,
                            "Balihe Lotus Root Cold Store (sample)", PlaceKind.COLD_STORE,
                            "32.612000", "116.205000", "341226", "颍上县",
                            "yingshang-hexiang")
JIESHOU_STORE = PlaceSpec("界首市光武镇蔬菜冷库" + SAMPLE, "Guangwu Vegetable Cold Store (sample)",
                          PlaceKind.COLD_STORE, "33.232000", "115.402000", "341282", "界首市",
                          "jieshou-lvye")


@dataclass(frozen=True)
class BuyerSpec:
    person: Person
    site: PlaceSpec


BUYERS = (
    BuyerSpec(BUYER, PlaceSpec("上海鲜达生鲜配送中心" + SAMPLE, "Shanghai Xianda Fresh DC (sample)",
                               PlaceKind.BUYER_SITE, "31.112000", "121.381000", "310000",
                               "上海市")),
    BuyerSpec(HANGZHOU_BUYER,
              PlaceSpec("杭州禾鲜餐饮供应链配送中心" + SAMPLE,
                        "Hangzhou Hexian Catering DC (sample)", PlaceKind.BUYER_SITE,
                        "30.318000", "120.212000", "330100", "杭州市")),
    BuyerSpec(Person("13900002003", "孙立军", Role.BUYER),
              PlaceSpec("南京金陵优选超市配送中心" + SAMPLE, "Nanjing Jinling Select DC (sample)",
                        PlaceKind.BUYER_SITE, "31.982000", "118.793000", "320100", "南京市")),
)

DEMO_PLACES = (HUB, TAIHE_STORE, YINGSHANG_STORE, JIESHOU_STORE, *(b.site for b in BUYERS))

# Pesticides with label dose and pre-harvest interval (安全间隔期, days) as commonly registered
# for vegetables; the seed uses them only as plausible sample records.
PESTICIDES = (
    ("1.8%阿维菌素乳油", "阿维菌素", "30 mL/亩", 7),
    ("10%吡虫啉可湿性粉剂", "吡虫啉", "20 g/亩", 7),
    ("5%甲氨基阿维菌素苯甲酸盐水分散粒剂", "甲氨基阿维菌素苯甲酸盐", "4 g/亩", 7),
    ("4.5%高效氯氰菊酯乳油", "高效氯氰菊酯", "40 mL/亩", 10),
    ("50%多菌灵可湿性粉剂", "多菌灵", "100 g/亩", 14),
    ("0.3%苦参碱水剂", "苦参碱", "150 mL/亩", 10),
)
FERTILISERS = (
    ("商品有机肥", None, "200 kg/亩"),
    ("硫酸钾复合肥(15-15-15)", None, "30 kg/亩"),
    ("尿素", "尿素", "8 kg/亩"),
)
GRADES = ("特级", "一级", "一级", "二级")


# Demo wholesale prices, 元 per 斤 (sample figures of the order of Fuyang's wholesale markets;
# not market data). Products not named here sell at DEFAULT_PRICE.
PRICES = {
    SPINACH: "2.40", TOON: "18.00", LOTUS: "3.20", CELERY: "1.60", CABBAGE: "0.80",
    BROCCOLI: "3.50", PAK_CHOI: "2.00", GARLIC: "4.60", SWEET_POTATO: "1.80",
    "Chili pepper (hot)": "4.00", "Cucumber": "2.20", "Tomato (firm-ripe)": "3.00",
    "Mushroom (button)": "5.50", "Carrot (topped)": "1.20", "Lettuce (leafy greens)": "2.60",
    "Green onion / scallion": "2.80",
}
DEFAULT_PRICE = "2.50"
BUYER_COMPANIES = {
    "13900000003": "上海鲜达生鲜配送有限公司" + SAMPLE,
    "13900002002": "杭州禾鲜餐饮供应链有限公司" + SAMPLE,
    "13900002003": "南京金陵优选超市有限公司" + SAMPLE,
}


# --- a dispatch day (cold-chain dispatch): the Jieshou co-op's fleet and tomorrow's orders ----

DISPATCH_PRODUCER = "jieshou-lvye"  # owns JIESHOU_STORE, where the trucks are based


@dataclass(frozen=True)
class CompartmentSpec:
    kind: str
    temp_class: str
    min_c: str
    max_c: str
    capacity_kg: int
    capacity_pallets: int


@dataclass(frozen=True)
class VehicleSpec:
    plate: str
    name: str
    fixed_yuan: int
    yuan_per_km: int
    compartments: tuple[CompartmentSpec, ...]
    shift_hours: int = 14
    driver: Person | None = None  # None: nobody drives it (the plan leaves it in the yard)


# The co-op's drivers: the demo carrier and two more; the second 4.2 m truck has nobody.
DRIVER_QIAN = Person("13900001401", "钱卫东", Role.CARRIER)
DRIVER_SUN = Person("13900001402", "孙建华", Role.CARRIER)
CHILLED_VEG = ("chilled-veg", "chilled", "0", "4")
FLEET = (
    VehicleSpec("皖KD3186", "9.6 米三温区冷藏车" + SAMPLE, 1500, 6, (
        CompartmentSpec(*CHILLED_VEG, 8000, 12),
        CompartmentSpec("chilled-fruit", "chilled", "0", "4", 4000, 6),
        CompartmentSpec("cool", "cool", "8", "15", 4000, 6)), driver=DRIVER_QIAN),
    VehicleSpec("皖KC7729", "7.6 米双温区冷藏车" + SAMPLE, 1200, 5, (
        CompartmentSpec(*CHILLED_VEG, 6000, 9),
        CompartmentSpec("cool", "cool", "8", "15", 3000, 5)), driver=CARRIER),
    VehicleSpec("皖KF0551", "4.2 米冷藏车" + SAMPLE, 800, 4, (
        CompartmentSpec(*CHILLED_VEG, 2000, 6),), driver=DRIVER_SUN),
    VehicleSpec("皖KB2468", "4.2 米冷藏车（二号）" + SAMPLE, 800, 4, (
        CompartmentSpec(*CHILLED_VEG, 2000, 6),)),
)


def _site(name_zh: str, name_en: str, lat: str, lon: str, code: str, city: str) -> PlaceSpec:
    return PlaceSpec(name_zh + SAMPLE, name_en + " (sample)", PlaceKind.BUYER_SITE, lat, lon,
                     code, city)


# More buyers' distribution centres, receiving before the morning rush (04:00-10:00).
DISPATCH_BUYERS = (
    BuyerSpec(Person("13900002004", "沈嘉怡", Role.BUYER),
              _site("上海浦东惠万家生鲜配送中心", "Shanghai Pudong Huiwanjia Fresh DC", "31.221000",
                    "121.544000", "310000", "上海市")),
    BuyerSpec(Person("13900002005", "陆文斌", Role.BUYER),
              _site("上海嘉定盒鲜社区团购仓", "Shanghai Jiading Hexian Group-Buy DC", "31.375000",
                    "121.265000", "310000", "上海市")),
    BuyerSpec(Person("13900002006", "许丽娟", Role.BUYER),
              _site("杭州萧山绿盈农产品配送中心", "Hangzhou Xiaoshan Lvying Produce DC",
                    "30.162000", "120.264000", "330100", "杭州市")),
    BuyerSpec(Person("13900002007", "吴国平", Role.BUYER),
              _site("南京江宁苏果鲜配中心", "Nanjing Jiangning Suguo Fresh DC", "31.953000",
                    "118.840000", "320100", "南京市")),
    BuyerSpec(Person("13900002008", "顾晓东", Role.BUYER),
              _site("苏州工业园区鲜丰配送中心", "Suzhou SIP Xianfeng DC", "31.317000", "120.672000",
                    "320500", "苏州市")),
    BuyerSpec(Person("13900002009", "周雅琴", Role.BUYER),
              _site("昆山万鲜生鲜配送中心", "Kunshan Wanxian Fresh DC", "31.385000", "120.981000",
                    "320500", "苏州市")),
)
DISPATCH_COMPANIES = {
    "13900002004": "上海惠万家生鲜超市有限公司" + SAMPLE,
    "13900002005": "上海盒鲜社区电商有限公司" + SAMPLE,
    "13900002006": "杭州绿盈农产品配送有限公司" + SAMPLE,
    "13900002007": "南京苏果鲜配有限公司" + SAMPLE,
    "13900002008": "苏州鲜丰供应链有限公司" + SAMPLE,
    "13900002009": "昆山万鲜生鲜有限公司" + SAMPLE,
}
DISPATCH_RECEIVING = ("04:00", "10:00")
# Tomorrow's confirmed orders for the Jieshou co-op: buyer's phone, then (product, 斤).
DISPATCH_ORDERS = (
    ("13900000003", ((CELERY, 600), (BROCCOLI, 400))),
    ("13900002002", ((CELERY, 400), (CABBAGE, 300))),
    ("13900002003", ((BROCCOLI, 500), (CELERY, 300))),
    ("13900002004", ((CELERY, 500), (CABBAGE, 200))),
    ("13900002005", ((BROCCOLI, 300),)),
    ("13900002006", ((CELERY, 300), (BROCCOLI, 200))),
    ("13900002007", ((CABBAGE, 300), (CELERY, 200))),
    ("13900002008", ((CELERY, 400), (BROCCOLI, 300))),
    ("13900002009", ((CABBAGE, 200), (BROCCOLI, 200))),
)


