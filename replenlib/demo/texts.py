"""Names and description templates of the demo: fictional manufacturers, product texts, places.

All company names are invented; any resemblance to a real company is unintended. GS1 company
prefixes use the member-organisation ranges of the manufacturer's country (690-699 China,
400-440 Germany, 0 + 0x-1x United States, 539 Ireland, 760-769 Switzerland, 45x/49x Japan).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Manufacturer:
    """A fictional manufacturer; each is also a supplier (directly or via its China subsidiary)."""

    name: str
    country: str
    company_prefix: str
    categories: tuple[str, ...]
    weight: float = 1.0


MANUFACTURERS: tuple[Manufacturer, ...] = (
    Manufacturer(
        "Huaxin Medical Devices Co., Ltd.",
        "China",
        "6923417",
        ("surgical_consumable", "wound_dressing"),
        2.0,
    ),
    Manufacturer(
        "Jiangnan Surgical Products Co., Ltd.", "China", "6935208", ("surgical_consumable",), 1.5
    ),
    Manufacturer(
        "Yangtze Medical Consumables Co., Ltd.",
        "China",
        "6947751",
        ("surgical_consumable", "wound_dressing"),
        1.5,
    ),
    Manufacturer(
        "Mingde Medical Dressings Co., Ltd.", "China", "6951126", ("wound_dressing",), 1.5
    ),
    Manufacturer("Kangtai Biotechnology Co., Ltd.", "China", "6970384", ("ivd_reagent",), 1.5),
    Manufacturer(
        "Lingyun Diagnostics Co., Ltd.", "China", "6958842", ("ivd_reagent", "equipment_spare"), 1.0
    ),
    Manufacturer(
        "Shenzhou Orthopaedic Technology Co., Ltd.",
        "China",
        "6981290",
        ("orthopaedic_implant",),
        1.5,
    ),
    Manufacturer(
        "Tianjin Xinmai Cardiovascular Co., Ltd.", "China", "6919633", ("cardiac_stent",), 1.5
    ),
    Manufacturer(
        "Zhongke Instrument Parts Co., Ltd.", "China", "6940057", ("equipment_spare",), 1.0
    ),
    Manufacturer(
        "Nordhafen Medizintechnik GmbH",
        "Germany",
        "4031654",
        ("surgical_consumable", "orthopaedic_implant"),
        1.0,
    ),
    Manufacturer(
        "Elbtal Diagnostik GmbH", "Germany", "4027719", ("ivd_reagent", "equipment_spare"), 1.2
    ),
    Manufacturer(
        "Lakeshore Orthopedics Inc.", "United States", "0852316", ("orthopaedic_implant",), 1.2
    ),
    Manufacturer("Cascade Vascular Inc.", "United States", "0871540", ("cardiac_stent",), 1.2),
    Manufacturer(
        "Prairie Diagnostics Inc.",
        "United States",
        "0896021",
        ("ivd_reagent", "equipment_spare"),
        1.0,
    ),
    Manufacturer("Corrib Vascular Ltd.", "Ireland", "5391842", ("cardiac_stent",), 1.0),
    Manufacturer(
        "Liffey Medical Ltd.", "Ireland", "5397305", ("surgical_consumable", "wound_dressing"), 0.6
    ),
    Manufacturer("Jungfrau Diagnostics AG", "Switzerland", "7612388", ("ivd_reagent",), 1.0),
    Manufacturer("Alpenmedic AG", "Switzerland", "7640517", ("orthopaedic_implant",), 0.8),
    Manufacturer(
        "Hoshizora Medical Co., Ltd.",
        "Japan",
        "4987634",
        ("surgical_consumable", "equipment_spare"),
        0.8,
    ),
    Manufacturer(
        "Kawanami Diagnostics K.K.", "Japan", "4562270", ("ivd_reagent", "equipment_spare"), 0.8
    ),
)

#: Domestic distributors used as backup (priority 2) sources: dearer, shorter lead time.
DISTRIBUTORS: tuple[str, ...] = (
    "Shanghai Huakang Medical Supply Co., Ltd.",
    "Guangzhou Ruitong Pharmaceutical & Device Trading Co., Ltd.",
    "Beijing Anheng Medical Logistics Co., Ltd.",
    "Chengdu Jinkang Medical Distribution Co., Ltd.",
    "Wuhan Yitai Medical Supply Chain Co., Ltd.",
)


@dataclass(frozen=True)
class Template:
    """A description pattern with its parameter choices and unit-cost range [CNY]."""

    text: str
    cost: tuple[float, float]
    choices: dict[str, tuple[str, ...]] = field(default_factory=dict)


_SIZES = tuple(str(s) for s in range(1, 11))
_STENT_D = ("2.25", "2.5", "2.75", "3.0", "3.5", "4.0")
_STENT_L = ("9", "12", "14", "15", "18", "23", "28", "33", "38")
_DISEASES = (
    "Troponin I",
    "NT-proBNP",
    "Procalcitonin (PCT)",
    "D-dimer",
    "C-reactive protein",
    "HbA1c",
    "TSH",
    "Free T4",
    "Ferritin",
    "CEA",
    "AFP",
    "PSA",
    "CA 125",
    "Interleukin-6",
    "Hepatitis B surface antigen",
    "Anti-HCV",
    "HIV Ag/Ab combo",
    "Creatinine",
    "Lipase",
    "Vitamin D (25-OH)",
    "Myoglobin",
    "CK-MB",
)
_TESTS = ("50 tests", "100 tests", "200 tests", "2 × 100 tests", "500 tests")

TEMPLATES: dict[str, tuple[Template, ...]] = {
    "orthopaedic_implant": (
        Template("Cementless femoral stem, size {s}", (8000, 22000), {"s": _SIZES}),
        Template(
            "Acetabular cup, porous-coated, {d} mm",
            (7000, 18000),
            {"d": tuple(str(d) for d in range(44, 66, 2))},
        ),
        Template(
            "Total knee femoral component, {side}, size {s}",
            (12000, 30000),
            {"side": ("left", "right"), "s": _SIZES[:8]},
        ),
        Template("Tibial tray, cemented, size {s}", (6000, 16000), {"s": _SIZES[:8]}),
        Template(
            "Locking compression plate 3.5 mm, {k} holes",
            (3000, 9000),
            {"k": ("4", "5", "6", "7", "8", "10", "12")},
        ),
        Template(
            "Intramedullary tibial nail {d} × {l} mm",
            (6000, 15000),
            {"d": ("8", "9", "10", "11"), "l": ("300", "330", "360", "390")},
        ),
        Template(
            "Pedicle screw system, polyaxial {d} × {l} mm",
            (3000, 7000),
            {"d": ("5.5", "6.5", "7.5"), "l": ("35", "40", "45", "50")},
        ),
        Template(
            "Interbody fusion cage, PEEK, {h} mm",
            (9000, 20000),
            {"h": ("8", "9", "10", "11", "12", "13")},
        ),
    ),
    "cardiac_stent": (
        Template(
            "Drug-eluting coronary stent {d} × {l} mm",
            (6000, 15000),
            {"d": _STENT_D, "l": _STENT_L},
        ),
        Template(
            "Bioresorbable-polymer sirolimus-eluting stent {d} × {l} mm",
            (8000, 18000),
            {"d": _STENT_D, "l": _STENT_L},
        ),
        Template(
            "Bare-metal coronary stent {d} × {l} mm",
            (3000, 6000),
            {"d": _STENT_D, "l": _STENT_L[:6]},
        ),
    ),
    "ivd_reagent": (
        Template("{a} reagent kit, {t}", (600, 5200), {"a": _DISEASES, "t": _TESTS}),
        Template("{a} calibrator set, 2 × 1 ml", (300, 1500), {"a": _DISEASES}),
        Template(
            "{a} quality control, level {k}", (250, 1200), {"a": _DISEASES, "k": ("1", "2", "3")}
        ),
        Template(
            "Influenza A/B antigen test kit, {t}",
            (400, 1600),
            {"t": ("20 tests", "25 tests", "40 tests")},
        ),
        Template(
            "Respiratory syncytial virus antigen kit, {t}",
            (500, 1800),
            {"t": ("20 tests", "25 tests")},
        ),
    ),
    "surgical_consumable": (
        Template(
            "Sterile gauze swab {d} cm, {p}-ply",
            (0.3, 1.5),
            {"d": ("5 × 5", "7.5 × 7.5", "10 × 10"), "p": ("8", "12", "16")},
        ),
        Template(
            "Disposable syringe {v} ml, luer lock",
            (0.4, 2.5),
            {"v": ("1", "2", "5", "10", "20", "50")},
        ),
        Template(
            "IV cannula {g}G, with injection port",
            (2.5, 12.0),
            {"g": ("14", "16", "18", "20", "22", "24")},
        ),
        Template(
            "Nitrile examination gloves, powder-free, size {s}",
            (0.3, 0.9),
            {"s": ("S", "M", "L", "XL")},
        ),
        Template(
            "Sterile surgical gloves, latex, size {s}",
            (3.0, 9.0),
            {"s": ("6.0", "6.5", "7.0", "7.5", "8.0", "8.5")},
        ),
        Template(
            "Surgical gown, sterile, reinforced, size {s}", (18.0, 55.0), {"s": ("M", "L", "XL")}
        ),
        Template(
            "Absorbable suture, polyglactin {u}, {l} cm",
            (15.0, 60.0),
            {"u": ("4-0", "3-0", "2-0", "0", "1"), "l": ("70", "75", "90")},
        ),
        Template(
            "Endotracheal tube {d} mm, cuffed",
            (8.0, 30.0),
            {"d": ("6.0", "6.5", "7.0", "7.5", "8.0", "8.5")},
        ),
        Template(
            "Suction catheter {f} Fr, sterile", (0.8, 3.0), {"f": ("8", "10", "12", "14", "16")}
        ),
        Template(
            "Foley catheter, 2-way, silicone, {f} Fr",
            (12.0, 45.0),
            {"f": ("12", "14", "16", "18", "20")},
        ),
        Template("Surgical mask, type IIR, ear loops", (0.3, 1.2)),
        Template("Infusion set with {f} µm filter", (1.5, 6.0), {"f": ("5", "15")}),
    ),
    "wound_dressing": (
        Template(
            "Foam dressing {d} cm, silicone border",
            (8.0, 45.0),
            {"d": ("7.5 × 7.5", "10 × 10", "12.5 × 12.5", "15 × 15")},
        ),
        Template(
            "Transparent film dressing {d} cm", (1.0, 6.0), {"d": ("6 × 7", "10 × 12", "10 × 25")}
        ),
        Template(
            "Hydrocolloid dressing {d} cm", (6.0, 28.0), {"d": ("10 × 10", "15 × 15", "20 × 20")}
        ),
        Template(
            "Calcium alginate dressing {d} cm", (9.0, 35.0), {"d": ("5 × 5", "10 × 10", "10 × 20")}
        ),
        Template(
            "Non-woven adhesive wound dressing {d} cm",
            (0.6, 3.0),
            {"d": ("6 × 7", "9 × 10", "9 × 15", "9 × 25")},
        ),
        Template("Elastic crepe bandage {w} cm × 4.5 m", (1.5, 6.0), {"w": ("6", "8", "10", "15")}),
    ),
    "equipment_spare": (
        Template(
            "Sample probe for chemistry analyser {m}",
            (1500, 6000),
            {"m": ("CA-400", "CA-800", "CX-2000")},
        ),
        Template(
            "Halogen lamp 12 V 20 W for photometer {m}",
            (400, 1200),
            {"m": ("CA-400", "CA-800", "IM-600")},
        ),
        Template(
            "Peristaltic pump tubing set for analyser {m}",
            (300, 1500),
            {"m": ("CA-400", "CX-2000", "HB-50")},
        ),
        Template(
            "Reagent pipetting syringe {v} µl", (1200, 4800), {"v": ("100", "250", "500", "1000")}
        ),
        Template("Reaction cuvette set, {n} pieces", (800, 3000), {"n": ("60", "120", "240")}),
        Template("X-ray tube assembly for DR system {m}", (60000, 180000), {"m": ("DR-5", "DR-7")}),
        Template(
            "Ultrasound probe cable assembly {m}", (3000, 12000), {"m": ("US-3C", "US-7L", "US-P4")}
        ),
        Template(
            "Power supply board for {m}", (2000, 9000), {"m": ("CA-800", "IM-600", "HB-50", "DR-7")}
        ),
    ),
}
