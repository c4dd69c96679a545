"""Small source files for the import tests: a base store with three items and two locations."""

from __future__ import annotations

from pathlib import Path

ITEMS = """物料编码,商品条码,物料描述,物料类别,生产厂家,管理类别,关键程度,标准成本,上市日期
ORT000001,07640517001010,"Interbody fusion cage, PEEK, 8 mm",orthopaedic_implant,Alpenmedic AG,三类,高,10496.38,2017-03-25
SRG000002,06935208001013,"Nitrile examination gloves, powder-free, size S",surgical_consumable,Jiangnan Surgical,一类,high,0.72,2014-05-09
ABC123,05391842001016,Sterile drape 90 x 120 cm,surgical_consumable,Corrib,I,low,12.5,2019-01-01
"""
UOM = """物料编码,单位,换算系数,包装条码
SRG000002,EA,1,06935208001013
SRG000002,BX10,10,16935208001010
"""
LOCATIONS = """仓库编码,仓库名称,仓库类型,区域,城市,上级仓库
CW-SH,Central warehouse,中心仓,East,Shanghai,
DC-BJ,Beijing DC,regional_dc,North,Beijing,CW-SH
"""
DEMAND_HEADER = "物料编码,仓库编码,需求日期,需求数量,发货数量,单位\n"


def write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``folder/name`` in ``encoding`` and return the path."""
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


def base_files(folder: Path) -> list[Path]:
    """Item master, units and locations as ERP exports."""
    return [
        write(folder, "items.csv", ITEMS),
        write(folder, "uom.csv", UOM),
        write(folder, "locations.csv", LOCATIONS),
    ]
