"""A large generated service catalogue for the benches (default 10,000 items).

Deterministic for a given size and seed. Item names are built the way real catalogues read:
a licensed activity plus an action (新办, 变更, 延续 ...), repeated across levels; the ten
industry bundles (一证准营) and some life-event bundles are included.

    python bench/gen_catalogue.py --items 10000      # prints a summary
"""
from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from clerk_console.domain.catalogue import (  # noqa: E402
    Bundle, CaseType, Catalogue, Department, Item, ItemMaterial, Level, MaterialSpec, Target,
)

GENERATOR_VERSION = "4"

DEPARTMENTS = [
    ("SCJG", "市场监督管理局", "市场监管"), ("WJW", "卫生健康委员会", "卫健"),
    ("GA", "公安局", "公安"), ("CG", "城市管理局", "城管"), ("XF", "消防救援支队", "消防"),
    ("YC", "烟草专卖局", "烟草"), ("SW", "税务局", "税务"), ("ZJ", "住房和城乡建设局", "住建"),
    ("JT", "交通运输局", "交通"), ("SL", "水务局", "水务"), ("HB", "生态环境局", "生态环境"),
    ("WL", "文化和旅游局", "文旅"), ("JY", "教育局", "教育"), ("MZ", "民政局", "民政"),
    ("RS", "人力资源和社会保障局", "人社"), ("YB", "医疗保障局", "医保"),
    ("ZRZY", "自然资源和规划局", "自然资源"), ("NY", "农业农村局", "农业农村"),
    ("SW2", "商务局", "商务"), ("TY", "体育局", "体育"), ("YJ", "应急管理局", "应急"),
    ("GJJ", "住房公积金管理中心", "公积金"), ("CJ", "残疾人联合会", "残联"),
    ("YP", "药品监督管理局", "药监"),
]

ACTIVITIES = [
    ("食品经营", "SCJG"), ("食品生产", "SCJG"), ("小餐饮登记", "SCJG"), ("药品零售", "YP"),
    ("第二类医疗器械经营备案", "YP"), ("烟草专卖零售", "YC"), ("户外广告设施设置", "CG"),
    ("城市道路占用", "CG"), ("公众聚集场所投入使用营业前消防安全检查", "XF"),
    ("公共场所卫生", "WJW"), ("医疗机构执业", "WJW"), ("放射诊疗", "WJW"),
    ("旅馆业特种行业", "GA"), ("公章刻制备案", "GA"), ("剧毒化学品购买", "GA"),
    ("娱乐场所经营", "WL"), ("营业性演出", "WL"), ("网络文化经营", "WL"),
    ("高危险性体育项目经营", "TY"), ("城镇污水排入排水管网", "SL"), ("取水", "SL"),
    ("排污", "HB"), ("建设项目环境影响评价", "HB"), ("建筑工程施工", "ZJ"),
    ("商品房预售", "ZJ"), ("建设工程规划", "ZRZY"), ("道路货物运输经营", "JT"),
    ("道路旅客运输经营", "JT"), ("出租汽车经营", "JT"), ("民办学校办学", "JY"),
    ("校外培训机构", "JY"), ("养老机构", "MZ"), ("社会团体成立登记", "MZ"),
    ("婚姻登记", "MZ"), ("人力资源服务", "RS"), ("劳务派遣经营", "RS"),
    ("社会保障卡", "RS"), ("医保定点医疗机构", "YB"), ("生育津贴", "YB"),
    ("农药经营", "NY"), ("兽药经营", "NY"), ("种子生产经营", "NY"), ("拖拉机驾驶证", "NY"),
    ("危险化学品经营", "YJ"), ("烟花爆竹经营", "YJ"), ("住房公积金提取", "GJJ"),
    ("残疾人证", "CJ"), ("酒类零售", "SW2"), ("单用途商业预付卡备案", "SW2"),
    ("涉税事项", "SW"), ("发票领用", "SW"), ("营业执照", "SCJG"), ("个体工商户", "SCJG"),
    ("农民专业合作社", "SCJG"), ("特种设备使用登记", "SCJG"), ("计量器具", "SCJG"),
    ("重大行政决策听证", "MZ"), ("长期护理保险", "YB"), ("行道树修剪", "CG"),
]

ACTIONS = ["许可（新办）", "许可（变更）", "许可（延续）", "许可（注销）", "许可证补办", "备案",
           "登记", "核发", "证明开具", "信息查询", "年度报告", "许可证遗失补领", "许可（迁移）",
           "资格认定", "审核转报", "事项告知承诺"]

REGIONS = ["芝罘区", "福山区", "牟平区", "莱山区", "蓬莱区", "龙口市", "莱阳市", "莱州市",
           "招远市", "栖霞市", "海阳市", "开发区", "高新区"]

MATERIALS = [
    ("M_APP", "申请书", "applicant", None), ("M_ID", "法定代表人身份证明", "government", "ID"),
    ("M_BL", "营业执照", "government", "BL"), ("M_LEASE", "经营场所使用证明", "applicant", None),
    ("M_PLAN", "经营场所平面布局图", "applicant", None), ("M_HEALTH", "从业人员健康证明", "government", "HC"),
    ("M_SAFE", "食品安全管理制度", "applicant", None), ("M_FIRE", "消防安全承诺书", "applicant", None),
    ("M_SIGN", "户外招牌设计效果图", "applicant", None), ("M_POA", "授权委托书", "applicant", None),
    ("M_AGENT", "经办人身份证明", "government", "ID"), ("M_EQUIP", "主要设备设施清单", "applicant", None),
    ("M_STAFF", "专业技术人员资格证明", "government", "QC"), ("M_EIA", "环境影响登记表", "applicant", None),
    ("M_DRAIN", "排水许可申请表", "applicant", None), ("M_PHOTO", "场所实景照片", "applicant", None),
]

BUNDLES = [
    ("B_STORE", "开办便利店", "industry", ("便利店", "超市"), ("食品经营", "烟草专卖零售", "酒类零售")),
    ("B_GYM", "开办健身场馆", "industry", ("健身房", "游泳馆"), ("高危险性体育项目经营", "公共场所卫生")),
    ("B_HOTEL", "开办宾馆", "industry", ("酒店", "旅馆"), ("旅馆业特种行业", "公共场所卫生", "食品经营")),
    ("B_REST", "开办饭店", "industry", ("餐馆", "饭馆"), ("食品经营", "城镇污水排入排水管网")),
    ("B_SMALL", "开办小餐饮", "industry", ("小吃",), ("小餐饮登记", "户外广告设施设置")),
    ("B_MAKE", "开办现制现售小商铺", "industry", ("现制现售",), ("小餐饮登记",)),
    ("B_BAKE", "开办烘焙店/面包房", "industry", ("蛋糕店", "面包店"), ("食品经营", "户外广告设施设置")),
    ("B_CAFE", "开办咖啡店/茶馆", "industry", ("咖啡店", "咖啡馆", "茶馆", "奶茶店"),
     ("食品经营", "户外广告设施设置", "公众聚集场所投入使用营业前消防安全检查")),
    ("B_BAR", "开办酒吧", "industry", ("清吧", "KTV"), ("食品经营", "娱乐场所经营", "酒类零售")),
    ("B_PHARM", "开办药店", "industry", ("药房",), ("药品零售", "第二类医疗器械经营备案")),
    ("B_BIRTH", "新生儿出生一件事", "life_event", ("出生", "上户口"), ("生育津贴", "社会保障卡")),
    ("B_RETIRE", "退休一件事", "life_event", ("退休",), ("住房公积金提取", "长期护理保险")),
]


def generate(n_items: int = 10_000, seed: int = 20261127) -> Catalogue:
    rnd = random.Random(seed)
    departments = {
        code: Department(code, f"烟台市{name}", short, hall="烟台市政务服务中心" if i % 4 else f"烟台市{name}办事大厅",
                         address=f"烟台市莱山区港城东大街{1000 + i}号", phone=f"0535-{6700000 + i:07d}",
                         hours="工作日 9:00-17:00", contact=f"{short}窗口")
        for i, (code, name, short) in enumerate(DEPARTMENTS)
    }
    materials = {code: MaterialSpec(code, name, source, el) for code, name, source, el in MATERIALS}
    items: dict[str, Item] = {}
    first_of_activity: dict[str, str] = {}
    levels = [Level.CITY, Level.COUNTY, Level.PROVINCE, Level.TOWNSHIP]
    combos = [(a, act) for a in ACTIVITIES for act in ACTIONS]
    serial = 0
    while len(items) < n_items:
        (activity, dept), action = combos[serial % len(combos)]
        round_ = serial // len(combos)
        level = levels[round_ % len(levels)]
        region = REGIONS[(round_ // len(levels) - 1) % len(REGIONS)] if round_ >= len(levels) else ""
        name = f"{region}{activity}{action}"
        serial += 1
        item_type = rnd.choice(["01", "01", "01", "07", "20", "05", "10"])
        base_code = f"{item_type}{serial:07d}000"
        code = f"11370600MB{serial:08d}{base_code}"
        mats = rnd.sample(MATERIALS, k=rnd.randint(3, 7))
        immediate = rnd.random() < 0.3
        # the first item of an activity (city level, 新办) is the one bundles use: a window
        # takes it and it allows deferral, as the industry licences do
        bundled = activity not in first_of_activity
        target = Target.BOTH if bundled else rnd.choice(
            [Target.ENTERPRISE, Target.ENTERPRISE, Target.PERSON, Target.BOTH])
        items[code] = Item(
            code=code, base_code=base_code, name=name, dept=dept, item_type=item_type, level=level,
            target=target, legal_days=20, promised_days=0 if immediate else rnd.choice([3, 5, 7, 10]),
            case_type=CaseType.IMMEDIATE if immediate else CaseType.PROMISED,
            # 涉企事项 always allow deferral (the catalogue loader enforces it)
            deferral=target is not Target.PERSON or rnd.random() < 0.7, commitment=rnd.random() < 0.4,
            instant=immediate and rnd.random() < 0.3, in_hall=bundled or rnd.random() < 0.85,
            materials=tuple(ItemMaterial(m[0], main=j < 2, originals=int(j == 0), copies=1)
                            for j, m in enumerate(mats)),
            keywords=(activity,) if action.startswith("许可（新办") else (),
        )
        first_of_activity.setdefault(activity, code)
    bundles = {
        code: Bundle(code, name, kind, tuple(first_of_activity[a] for a in acts if a in first_of_activity),
                     description=f"{name}：多个事项一次办", keywords=kws)
        for code, name, kind, kws, acts in BUNDLES
        if any(a in first_of_activity for a in acts)  # a small catalogue: no bundle left empty
    }
    return Catalogue(version=f"gen-{GENERATOR_VERSION}-{n_items}-{seed}", departments=departments,
                     materials=materials, items=items, bundles=bundles,
                     elicence_types={"ID": "居民身份证", "BL": "营业执照", "HC": "健康证明", "QC": "资格证书"})


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="generate the bench catalogue and print a summary")
    p.add_argument("--items", type=int, default=10_000)
    args = p.parse_args(argv)
    cat = generate(args.items)
    print(f"catalogue {cat.version}: {len(cat.items)} items, {len(cat.bundles)} bundles, "
          f"{len(cat.departments)} departments")
    for item in list(cat.items.values())[:3]:
        print(f"  {item.code}  {item.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
