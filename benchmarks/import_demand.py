"""Import a 5-million-row demand CSV: replenlib's import vs pandas.read_csv + to_sql.

Both sides run in their own subprocess (so each peak resident memory is its own) on the same
file: ``ROWS`` daily demand rows over 2,000 items × 8 locations, written by DuckDB.

* **replenlib**: ``replenlib.io.import_file`` into a store that holds the item master and the
  locations: the full path (DuckDB's CSV reader, cleaning, item resolution, unit conversion,
  pandera validation of each checked column's values, duplicate check, upsert, lineage,
  quarantine, loads row), one build-and-swap transaction.
* **peer**: ``pandas.read_csv`` of the whole file and ``DataFrame.to_sql`` into SQLite, the
  plain way to load a CSV into a database from Python, with no validation at all.

Run: ``python benchmarks/import_demand.py [ROWS]``. The last line is JSON with rows/s and peak
memory of both and ``speedup`` = peer seconds ÷ replenlib seconds (wall clock). On a shared
machine wall time depends on the other jobs, so the JSON also gives the CPU seconds of each
side (all threads) and ``cpu_speedup``, and the load average when the run ended: replenlib
uses every core (DuckDB), the peer mostly one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 5_000_000
ROOT = Path(__file__).resolve().parent.parent

_MAKE = """
import duckdb, sys
from replenlib.io import ImportRequest, import_files
folder, rows = sys.argv[1], int(sys.argv[2])
con = duckdb.connect()
con.execute('SET enable_progress_bar = false')
con.execute(f'''COPY (
    SELECT 'IT' || lpad(CAST(i % 2000 AS VARCHAR), 6, '0') AS "物料编码",
           'L' || CAST((i // 2000) % 8 AS VARCHAR) AS "仓库编码",
           strftime(DATE '2010-01-01' + CAST(i // 16000 AS INTEGER), '%Y-%m-%d') AS "需求日期",
           CAST(i % 17 AS VARCHAR) AS "需求数量", CAST(i % 13 AS VARCHAR) AS "发货数量",
           'EA' AS "单位"
    FROM range({rows}) t(i)) TO '{folder}/demand.csv' (HEADER)''')
from biip.checksums import gs1_standard_check_digit
with open(f'{folder}/items.csv', 'w') as f:
    f.write('物料编码,商品条码,物料描述,物料类别,生产厂家,管理类别,关键程度,标准成本,上市日期\\n')
    for i in range(2000):
        body = f'0690{i:09d}'
        gtin = body + str(gs1_standard_check_digit(body))
        f.write(f'IT{i:06d},{gtin},Item {i},consumable,Maker,II,medium,1.5,2020-01-01\\n')
with open(f'{folder}/locations.csv', 'w') as f:
    f.write('仓库编码,仓库名称,仓库类型,区域,城市,上级仓库\\n')
    f.writelines(f'L{k},Location {k},hospital,East,Shanghai,\\n' for k in range(8))
"""

_OURS = """
import resource, sys, time, shutil
from replenlib.io import import_file
folder = sys.argv[1]
shutil.copyfile(f'{folder}/master.duckdb', f'{folder}/ours.duckdb')
start, cpu = time.perf_counter(), time.process_time()
result = import_file(f'{folder}/ours.duckdb', 'erp', f'{folder}/demand.csv')
seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
assert result.rows_loaded == int(sys.argv[2]), result.summary()
print(seconds, cpu, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""

_PEER = """
import resource, sqlite3, sys, time
import pandas as pd
folder = sys.argv[1]
start, cpu = time.perf_counter(), time.process_time()
frame = pd.read_csv(f'{folder}/demand.csv')
with sqlite3.connect(f'{folder}/peer.sqlite') as con:
    frame.to_sql('demand_history', con, index=False, chunksize=100_000)
seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
assert len(frame) == int(sys.argv[2])
print(seconds, cpu, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def _run(code: str, *args: str) -> list[float]:
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    return [float(x) for x in out.stdout.split()[-3:]]


def _master(folder: str) -> None:
    code = (
        "import sys\nfrom replenlib.io import ImportRequest, import_files\n"
        "f = sys.argv[1]\nimport_files(f + '/master.duckdb', [ImportRequest('erp', f + "
        "'/items.csv'), ImportRequest('erp', f + '/locations.csv')])\n"
    )
    subprocess.run([sys.executable, "-c", code, folder], check=True, cwd=ROOT,
                   env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})  # fmt: skip


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="replen-bench-") as folder:
        subprocess.run([sys.executable, "-c", _MAKE, folder, str(ROWS)], check=True, cwd=ROOT,
                       env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})  # fmt: skip
        _master(folder)
        size_mb = Path(folder, "demand.csv").stat().st_size / 1e6
        ours_s, ours_cpu, ours_mb = _run(_OURS, folder, str(ROWS))
        peer_s, peer_cpu, peer_mb = _run(_PEER, folder, str(ROWS))
    load = os.getloadavg()[0]
    print(f"demand CSV: {ROWS:,} rows, {size_mb:,.0f} MB; load average {load:.1f}")
    print(f"replenlib import_file: {ours_s:6.1f} s  {ROWS / ours_s:>12,.0f} rows/s  "
          f"CPU {ours_cpu:5.1f} s  peak {ours_mb:,.0f} MB (validated, cleaned, lineage, "
          "quarantine)")  # fmt: skip
    print(f"pandas read_csv+to_sql: {peer_s:6.1f} s  {ROWS / peer_s:>12,.0f} rows/s  "
          f"CPU {peer_cpu:5.1f} s  peak {peer_mb:,.0f} MB (no validation)")  # fmt: skip
    print(json.dumps({
        "benchmark": "import_demand", "rows": ROWS, "csv_mb": round(size_mb, 1),
        "replenlib_seconds": round(ours_s, 2), "replenlib_rows_per_s": round(ROWS / ours_s),
        "replenlib_peak_mb": round(ours_mb), "peer": "pandas.read_csv + DataFrame.to_sql(sqlite3)",
        "peer_seconds": round(peer_s, 2), "peer_rows_per_s": round(ROWS / peer_s),
        "peer_peak_mb": round(peer_mb), "speedup": round(peer_s / ours_s, 2),
        "replenlib_cpu_seconds": round(ours_cpu, 2), "peer_cpu_seconds": round(peer_cpu, 2),
        "cpu_speedup": round(peer_cpu / ours_cpu, 2), "load_average": round(load, 1),
    }))  # fmt: skip


if __name__ == "__main__":
    main()
