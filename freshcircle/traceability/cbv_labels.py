"""People's words for the GS1 CBV codes a spreadsheet shows: business steps, dispositions and
business transaction types, in Chinese (zh) and English (en).

The FSMA 204 export is read by inspectors and buyers, not by machines (the EPCIS API keeps the
codes), so "inspecting", "conformant" and "testres" become 检验, 合格 and 检测结果. A code
missing here (a partner's own vocabulary) is shown as it is. Sources: GS1 Core Business
Vocabulary 2.0 (bizStep, disp, btt); Chinese after GB/T 38155 and the GS1 China CBV terms.
"""

from __future__ import annotations

# code: (zh, en)
BIZ_STEPS: dict[str, tuple[str, str]] = {
    "accepting": ("验收", "accepting"),
    "arriving": ("到达", "arriving"),
    "assembling": ("组装", "assembling"),
    "collecting": ("收集", "collecting"),
    "commissioning": ("赋码启用", "commissioning"),
    "consigning": ("托运", "consigning"),
    "cooling": ("预冷", "cooling"),
    "creating_class_instance": ("生成批次实例", "creating class instance"),
    "cycle_counting": ("循环盘点", "cycle counting"),
    "decommissioning": ("停用", "decommissioning"),
    "departing": ("离开", "departing"),
    "destroying": ("销毁", "destroying"),
    "disassembling": ("拆解", "disassembling"),
    "dispensing": ("分装", "dispensing"),
    "encoding": ("编码", "encoding"),
    "entering_exiting": ("进出", "entering or exiting"),
    "harvesting": ("采收", "harvesting"),
    "holding": ("暂扣", "holding"),
    "inspecting": ("检验", "inspecting"),
    "installing": ("安装", "installing"),
    "loading": ("装车", "loading"),
    "other": ("其他", "other"),
    "packing": ("包装", "packing"),
    "picking": ("拣货", "picking"),
    "receiving": ("收货", "receiving"),
    "removing": ("移除", "removing"),
    "repackaging": ("重新包装", "repackaging"),
    "repairing": ("维修", "repairing"),
    "replacing": ("更换", "replacing"),
    "reserving": ("预留", "reserving"),
    "retail_selling": ("零售", "retail selling"),
    "sampling": ("抽样", "sampling"),
    "sensor_reporting": ("传感器上报", "sensor reporting"),
    "shipping": ("发运", "shipping"),
    "staging_outbound": ("出库备货", "staging outbound"),
    "stock_taking": ("盘点", "stock taking"),
    "stocking": ("上架", "stocking"),
    "storing": ("储存", "storing"),
    "transforming": ("加工转化", "transforming"),
    "transporting": ("运输", "transporting"),
    "unloading": ("卸车", "unloading"),
    "unpacking": ("拆包", "unpacking"),
    "void_shipping": ("取消发运", "void shipping"),
}
DISPOSITIONS: dict[str, tuple[str, str]] = {
    "active": ("有效", "active"),
    "available": ("可用", "available"),
    "completeness_inferred": ("完整性（推定）", "completeness inferred"),
    "completeness_verified": ("完整性（已核实）", "completeness verified"),
    "conformant": ("合格", "conformant"),
    "container_closed": ("容器已封闭", "container closed"),
    "container_open": ("容器已打开", "container open"),
    "damaged": ("损坏", "damaged"),
    "destroyed": ("已销毁", "destroyed"),
    "dispensed": ("已分装", "dispensed"),
    "disposed": ("已处置", "disposed"),
    "encoded": ("已编码", "encoded"),
    "expired": ("已过期", "expired"),
    "in_progress": ("进行中", "in progress"),
    "in_transit": ("运输中", "in transit"),
    "inactive": ("无效", "inactive"),
    "mismatch_class": ("品类不符", "class mismatch"),
    "mismatch_instance": ("实例不符", "instance mismatch"),
    "mismatch_quantity": ("数量不符", "quantity mismatch"),
    "needs_replacement": ("需更换", "needs replacement"),
    "no_pedigree_match": ("来源记录不符", "no pedigree match"),
    "non_conformant": ("不合格", "non-conformant"),
    "non_sellable_other": ("不可销售", "not sellable (other)"),
    "partially_dispensed": ("部分分装", "partially dispensed"),
    "recalled": ("已召回", "recalled"),
    "reserved": ("已预留", "reserved"),
    "retail_sold": ("已零售", "retail sold"),
    "returned": ("已退回", "returned"),
    "sellable_accessible": ("可销售", "sellable"),
    "sellable_not_accessible": ("可销售（暂不可取）", "sellable, not accessible"),
    "stolen": ("被盗", "stolen"),
    "unavailable": ("不可用", "unavailable"),
    "unknown": ("未知", "unknown"),
}
TRANSACTION_TYPES: dict[str, tuple[str, str]] = {
    "bol": ("提单", "bill of lading"),
    "cert": ("证书", "certificate"),
    "desadv": ("发货通知", "despatch advice"),
    "inv": ("发票", "invoice"),
    "pedigree": ("来源记录", "pedigree"),
    "po": ("采购订单", "purchase order"),
    "poc": ("采购订单确认", "purchase order confirmation"),
    "prodorder": ("生产订单", "production order"),
    "recadv": ("收货通知", "receiving advice"),
    "rma": ("退货授权", "return authorisation"),
    "testprd": ("检测方法", "test procedure"),
    "testres": ("检测结果", "test result"),
    "upevt": ("上游事件", "upstream EPCIS event"),
}


def _pick(table: dict[str, tuple[str, str]], code: str, lang: str) -> str:
    names = table.get(code)
    if names is None:
        return code
    return names[0] if lang.startswith("zh") else names[1]


def biz_step(code: str, lang: str) -> str:
    return _pick(BIZ_STEPS, code, lang)


def disposition(code: str, lang: str) -> str:
    return _pick(DISPOSITIONS, code, lang)


def transaction_types(codes: str, lang: str) -> str:
    """A "; "-joined list of transaction types, each in words."""
    return "; ".join(_pick(TRANSACTION_TYPES, c, lang) for c in codes.split("; ") if c)
