"""Seeded, realistic demo data: a medical-device distribution network in China.

>>> from replenlib.demo import generate, DemoSize
>>> data = generate("small", seed=42)                   # doctest: +SKIP
>>> data.tables["movements"].head()                     # doctest: +SKIP

:func:`generate` returns a :class:`DemoData` whose ``tables`` hold one frame per name in
:data:`replenlib.store.schema.SOURCE_TABLES` (exactly the table's columns, in order; strings
as ``str``, dates as ``datetime64`` at midnight, nullable columns with missing values) and
whose ``truth`` holds what the generator knows but a real company would not. The same
``(size, seed, end_date)`` always gives identical frames: every stage draws from its own
stream of ``numpy.random.SeedSequence(seed).spawn(9)`` and nothing reads the clock.

Sizes
-----
=======  ======  =================================================  ========================
size     items   locations                                          use
=======  ======  =================================================  ========================
small      200   central warehouse, 1 regional DC, 2 hospitals      tests: 527 series,
                                                                    0.23 M movements
medium   2,000   central warehouse, 3 DCs, 4 hospitals              default: 10,337 series,
                                                                    4.6 M movements
large    6,200   central warehouse, 4 DCs, 12 hospitals             benchmarks: 56,355
                                                                    series, 27 M movements
=======  ======  =================================================  ========================

Generation time on the 2-core development machine (idle / shared with other jobs): small
1.5 / 5 s, medium 13 / 41 s, large 70 / 175 s; peak memory 0.4, 2.2 and 9.7 GB.

History: 730 days ending on ``end_date`` (default 2026-09-30), which is ``as_of``.

Every assumption, with its number and reason
--------------------------------------------
**Catalogue** (:mod:`.catalogue`, :mod:`.texts`). Six categories, shares of items:
orthopaedic implants 14 %, cardiac stents 6 %, IVD reagents 20 %, surgical consumables 34 %,
wound dressings 16 %, diagnostic-equipment spares 10 %. Per category:

* implants and stents: risk class III, serialised, lot-controlled, consignment at 75 % / 60 %
  of items (vendors place implant sets and stent shelves in hospitals), unit cost 3,000-30,000
  CNY (log-uniform within each product template), sterile shelf life 48-60 / 24-36 months,
  criticality critical or high, low and lumpy demand with few elective procedures at weekends;
* IVD reagents: class II (70 %) or III (30 %), cold chain 2-8 °C with 30-120 min of tolerated
  excursion, shelf life 6-18 months, lot-controlled, 250-5,200 CNY per kit;
* surgical consumables and dressings: class I/II, cheap (0.3-60 CNY), high volume, smooth or
  winter-seasonal, sterile shelf life 24-60 months, sold in inner boxes and cases;
* spares: class I (not devices in their own right), no expiry, not lot-controlled,
  intermittent demand, 300-180,000 CNY (an X-ray tube is the dear one).

The minimum remaining shelf life a customer accepts is 20 % of the shelf life, rounded to 30
days and kept within 30-365 days. Descriptions come from category templates ("Drug-eluting
coronary stent 3.0 × 18 mm", "Troponin I reagent kit, 100 tests", "Sterile gauze swab 10 × 10
cm, 8-ply"); the 20 manufacturers are invented (9 Chinese, 2 German, 3 U.S., 2 Irish, 2 Swiss,
2 Japanese) and each has a GS1 company prefix in its country's range. The base-unit GTIN-14
is indicator 0 + prefix + item reference + GS1 check digit (:mod:`replenlib.codes`); an inner
box (``BX<n>``, indicator 1) and a case (``CS<n>`` = 10 boxes of up to 20, else 5 boxes,
indicator 2) get their own GTINs; reagents have a ``CS6`` case. The inner box is the largest
of the category's packs (consumables 10/20/50/100, dressings 5/10/20) within about four days
of a hospital's demand, give or take one size. Lifecycle: 89 % mature (launched 1-12 years
before the history), 6 % new (launched on day 90 to ``n - 150`` of the history, ramping up as
``1 - exp(-age / tau)``, tau 30-120 days), 5 % end-of-life (end date from 240 days before to
120 days after ``as_of``, demand running down linearly over the 150-330 days before it).

**Network** (:mod:`.network`, :mod:`.assortment`). The central warehouse is in Shanghai;
DCs in Beijing, Guangzhou, Chengdu and Wuhan (2-4 transfer days from Shanghai); hospital stock
points 1 day (same city) or 2 days from their DC; 8 % of transfer shipments arrive a day late.
The central warehouse and each DC serve three external customers (hospitals and clinics);
hospitals serve their departments: orthopaedics, cardiology (cath lab), clinical laboratory,
operating theatre, ICU, general wards, clinical engineering. The first hospital under each DC
is a tertiary hospital with every department; others have each with probability 0.7, 0.6,
0.8, 1, 0.8, 1, 1 (in that order). Assortment: the central warehouse stocks every item; a DC
stocks an item with probability 0.6 (implants), 0.7 (stents), 0.75 (reagents), 0.85
(consumables, dressings), 0.45 (spares), and always when one of its hospitals does; a hospital
stocks items only for departments it has (implants: orthopaedics, stents: cardiology,
reagents: laboratory), with probability 0.35, 0.5, 0.45, 0.45, 0.5, 0.08. A demand line goes
to one customer drawn uniformly from up to three that use the category (implants to
orthopaedics or theatre, consumables to theatre, ICU or wards, ...).

**Suppliers** (:mod:`.sourcing`). One supplier per manufacturer plus five domestic
distributors. Lead time is Gamma distributed: domestic makers mean 7-21 days, CV 0.10-0.20,
on-time rate 0.85-0.98, quality pass rate 0.97-0.995; imported (Germany, USA, Ireland,
Switzerland, Japan) mean 45-90 days, CV 0.25-0.40, on-time 0.70-0.92, quality 0.95-0.99;
distributors mean 4-10 days. The quoted lead time is the on-time-rate quantile of the lead
time, so late receipts match each supplier's on-time rate. Inbound transit (dispatch to
arrival) is 1-3 days domestic, 4-8 days imported. Every reagent maker, three distributors and
30 % of the others are cold-chain capable. Two suppliers are ``conditional`` (qualified for
20-120 more days), the rest ``approved`` (90-1,000 days). 25 % of items are dual-sourced: the
backup (priority 2) is a distributor (cold-chain capable for cold items) at +5-20 % price with
its shorter lead time. Order multiple = inner box; MOQ = 1-5 boxes (consumables, dressings),
1-3 kits (reagents), 1-2 stents, 1 otherwise.

**Demand** (:mod:`.demand`, :mod:`.calendar`). Daily demand is compound Poisson: requests
``N ~ Poisson(lambda * m[t])``, units ``ceil(Gamma(N / c^2, mu c^2))`` (at least ``N``). The
series' long-run rate is the item's typical hospital rate (log-uniform: implants 0.05-0.3/day,
stents 0.06-0.5, reagent kits 0.15-1.5, consumables 1.5-40, dressings 1-15, spares
0.004-0.03) × 1.4 (central warehouse), 1.1 (DC) or 1.0 (hospital) × log-normal(0, 0.35).
Patterns of mature items' series (smooth / seasonal / intermittent / lumpy / tender step):
implants 10/0/50/35/5 %, stents 30/0/35/27/8 %, reagents 46/15/15/14/10 %, consumables
50/30/6/6/8 %, dressings 52/25/10/6/7 %, spares 0/0/70/30/0 %; a new or end-of-life item's
series carry its lifecycle pattern. Frequent series have 0.8-2.5 requests a day (20 % of
those at the central warehouse and DCs are clinics' batch orders: 0.3-0.7 a day with size CV
0.9-1.6, erratic), intermittent and lumpy ones 0.02-0.14; request-size CV is 0.2-0.5 (lumpy
0.9-1.6). Multipliers ``m[t]``: weekday profile (Saturday at 0.35 of a weekday at the
warehouses, 0.65 at hospitals, 0.25 for implants and stents at hospitals; Sunday 60 % of
Saturday; weekly mean 1); winter season ``1 + a cos(2 pi (doy - 20) / 365.25)`` with ``a``
0.25-0.5 for seasonal series (respiratory season peaking in January) and 0-0.06 otherwise;
Chinese New Year (2024-02-10, 2025-01-29, 2026-02-17, ...): ×1.12 ten to four days before,
×0.80 in the last three days before, ×0.35 in the holiday week and ×0.75 the week after;
tender steps at a random day in the middle of the history, ×1.8-3.0 (tender won, half of
them) or ×0.2-0.5 (lost). ``demand_history`` keeps only days with demand; ``quantity`` is
requested, ``quantity_shipped`` served from stock (the rest is lost, not back-ordered).

**ERP policy** (:mod:`.erp`). Static ``(s, nQ)`` settings set long ago: the estimated rate is
the true rate × log-normal(0, 0.35), summed over the children for echelon rates;
``ROP = ceil(m + z sqrt(m mu (1 + c^2) + (r sigma_L)^2))`` with ``m = r (L + 1)``,
``z ~ N(1.2, 0.45)`` clipped to 0.3-2.6, L the quoted lead time (central) or transfer lead
time; ``Q`` covers 21 days (central, domestic), 30 days (central, imported), 14 days (DC),
7 days (hospital), rounded up to the order multiple and at least the MOQ.

**Operations** (:mod:`.operations`, :mod:`.fefo`, :mod:`.state`), simulated day by day over
the whole history for every series at once. Day 0 opens with ``ROP + U(0, 1) Q`` per active
series as one lot (an ``adjustment`` movement, reference ``OPENING-BALANCE``) with 45-95 % of
its shelf life left. Each day: purchase receipts (one lot per PO line, manufactured 3-20 % of
the shelf life before dispatch; inspected 1-3 days later: quarantined until then, passed with
the supplier's quality rate, failed lots blocked and returned to the supplier 3-10 days
after inspection with a ``return`` movement; 2 % of cold-chain receipts travelled with a
30-300 min excursion and fail when it exceeds the item's allowance); transfer arrivals;
scrapping of expired lots on Fridays (expired lots stay up to six days with status
``expired``); issues FEFO from usable stock (passed, on or after inspection, at least the
minimum remaining shelf life left); hospitals then DCs request ``n Q`` from their parent at or
below the reorder point (position = on hand + in transit) and the parent ships FEFO whatever
it has with at least the minimum shelf life + 30 days, keeping the lot (and serial numbers),
so lots travel central warehouse → DC → hospital → customer; the central warehouse orders
``n Q`` (15 % of a dual-sourced item's orders go to the backup; 1.2 % of orders are cancelled
by the supplier 1-2 days later) at or below the reorder point (position = on hand + on order).
New items are ordered from a week before launch minus the lead time; end-of-life items are
no longer bought from 30 days before their end date.

**Records.** ``movements`` kinds: ``adjustment`` (opening balance), ``receipt``,
``transfer`` (dated at dispatch, reference = shipment id), ``issue`` (with customer),
``scrap``, ``return`` (to supplier, reference = PO); serialised items have one row per serial
(quantity 1). Goods in transit at ``as_of`` are the transfers whose shipment
``arrival_date`` is after ``as_of``: stock on hand = movements into a location that have
arrived − movements out (``truth['in_transit']`` lists them). Serial numbers are
``<lot number>-<nnnn>``; ``serials.status`` is ``in_stock``, ``issued``, ``scrapped``,
``returned`` or ``in_transit`` (location = destination). Lot numbers (AI 10) are
year + month letter + six digits; items that are not lot-controlled (spares) get our receipt
batch number (``RB...``) instead, since every stock record carries a lot id. POs group a
supplier's lines of one day; ``shipments`` has one inbound shipment per receipt and one
transfer shipment per route, day and temperature class; cold-chain shipments carry a logger.
``stock_on_hand`` statuses: ``available``, ``quarantine`` (inspection pending), ``blocked``
(failed, awaiting return), ``expired``.

**Cold chain** (:mod:`.coldchain`): hourly cold-room loggers (two rooms at the central
warehouse, one per DC and hospital lab fridge) around 5 °C with AR(1) noise, door openings and
a nightly defrost; three compressor failures (3-8 h at 10-14 °C); shipment loggers every
15 min (transfers) or 30 min (inbound) between 2.5 and 7.5 °C, with excursions of 9-12 °C on
1 % of cold transfers and on the flagged inbound shipments. Stock status is not changed by
excursions: detecting affected lots is the product's job (``truth['excursions']`` lists them).

**Recall** (:mod:`.recall`): 2-3 lots of one serialised cardiac stent from one imported
supplier, chosen for the widest spread (stock points holding units, customers reached),
class II, announced 2-6 days before ``as_of``; the stock stays ``available``.
``truth['recall_scope']`` lists every unit: status, location or customer and issue date.

Measured baseline (seed 42): about 42 % of series intermittent or lumpy on weekly buckets
(ADI >= 1.32), ~5 % erratic, the rest smooth; 3-4 % of demand lines not fully served;
inventory 60-70 days of issues at cost. Not modelled: partial receipts, customer returns,
back-orders, one customer per demand line, stock status after excursions.
"""

from replenlib.demo.catalogue import CATEGORIES, CATEGORY_NAMES
from replenlib.demo.generator import DemoData, DemoSize, generate

__all__ = ["CATEGORIES", "CATEGORY_NAMES", "DemoData", "DemoSize", "generate"]
