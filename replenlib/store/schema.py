"""The DuckDB schema of the replenlib store, as an ordered list of migrations.

Every table is keyed; every quantity is in the item's *base unit of measure* (``items.base_uom``,
usually ``EA``); money is in CNY; dates are calendar dates (``DATE``) and times are naive local
``TIMESTAMP``. The migration list is append-only: a released migration is never edited, a change
is a new migration with the next version number. :func:`replenlib.store.db.ensure_schema` applies
the missing migrations inside one transaction and refuses a file whose version is newer than
:data:`SCHEMA_VERSION`.

Tables (version 1)
------------------
========================  ==========================================================================
``schema_version``        one row per applied migration (version, applied_at, description)
``items``                 item master: GTIN, category, risk class, criticality, cost, shelf life, ...
``item_uom``              units of measure per item with their factor to the base unit
``locations``             stock points: central warehouse, regional DCs, hospital stock points
``customers``             hospitals and departments that receive issued stock
``suppliers``             supplier master with qualification status and cold-chain capability
``item_supplier``         sourcing terms: priority, price, MOQ, order multiple, quoted lead time
``item_location``         assortment: which item is stocked where, from which source, and the
                          reorder point / order quantity the ERP uses today
``demand_history``        daily demand per item-location (requested and shipped quantity)
``lots``                  lots with manufacture / expiry date and inspection status
``serials``               serial numbers of serialised items, their lot and current whereabouts
``stock_on_hand``         snapshot of stock by item, location, lot and status
``purchase_orders``       purchase order lines with confirmed dates and status
``receipts``              goods receipts against purchase order lines, one lot per receipt
``inspections``           inbound inspection results per lot (QMS)
``shipments``             inbound and transfer shipments with dispatch and arrival dates (TMS)
``movements``             every stock movement: receipt, transfer, issue, scrap, adjustment
``temperature_readings``  logger readings in storage units and in shipments
``recalls``               recall events; ``recall_lots`` lists the lots each recall names
``policy_versions``       versions of the replenishment strategy (targets per tier), JSON body
``runs``                  one row per pipeline run
``forecasts``             per run and item-location: demand class, method, daily mean and std
``policy_parameters``     per run and item-location: lead time, safety stock, reorder point, ...
``proposals``             per run: order proposals (purchase or transfer) with reason and urgency
``run_kpis``              per run: KPI values by scope
========================  ==========================================================================

Version 2 adds to ``policy_parameters`` the policy type, the cycle service level and fill rate
the parameters imply, the shelf-life cap and the expected expiry write-off.

Tables (version 3: imports and governance)
------------------------------------------
==========================  =====================================================================
``bom``                     bill of materials: component quantity per parent base unit (MES)
``production_orders``       MES production orders: item made, quantities, start and due dates
``component_consumption``   MES component issues to production orders (dependent demand)
``demand_signals``          CRM known future demand: scheduled surgeries, tenders, contracts
``nonconformances``         QMS nonconformance reports per lot
``udi_scans``               parsed UDI scans (GS1 element strings and HIBC)
``loads``                   one row per imported file: source, hashes, counts, freshness
``quarantine``              rejected (or flagged) source rows: file, row, column, value, reason
``lineage``                 which load and source row fed each key of each imported table
``item_xref``               other codes of an item (old ERP code, supplier code, HIBC, merged)
``duplicate_candidates``    likely duplicate items for a person to confirm or reject
``raw.load_NNNNNN``         the raw rows of each load (schema ``raw``), as text, never changed
==========================  =====================================================================

Tables (version 4: demand layer results)
----------------------------------------
==========================  =====================================================================
``segments``                per run and item-location: ABC by value and volume, XYZ, demand
                            class, lifecycle stage and the statistics behind them
``forecast_backtests``      per run, item-location and candidate method: rolling-origin scores
                            (MAE, bias, MASE, RMSSE, sPIS, scaled pinball) and whether chosen
``forecast_values``         per run and item-location: weekly forecasts, 80 % / 95 % intervals
``lead_time_demand``        per run and item-location: demand over lead time + review period,
                            the distribution handed to the policy (family, mean, std, quantiles)
==========================  =====================================================================

Tables (version 5: scenarios, ``replen scenario run``)
------------------------------------------------------
==========================  =====================================================================
``scenario_runs``           one row per scenario run: file, settings, baseline, business case
``scenario_definitions``    per run: each scenario's name, description and overrides (JSON)
``scenario_kpis``           per run, scenario, KPI and scope: mean, spread across replications and
                            the paired difference to the baseline with its confidence interval
``scenario_series``         per run, scenario and item-location: planned levels and mean KPIs
``scenario_frontier``       per run and swept target: inventory and service KPIs
``scenario_tornado``        per run, factor and KPI: the KPI at the low and high setting
``scenario_calibration``    per run and tier: target against achieved service, before and after
==========================  =====================================================================

Tables (version 6: supply and traceability)
-------------------------------------------
=========================  ======================================================================
``lot_holds``              holds placed on lots (recall, quarantine, excursion, damage, manual),
                           with who placed and who released them; active = not released
``supplier_blocks``        suppliers (or item-suppliers) blocked from sourcing, e.g. by a recall
``sourcing_rules``         split rules per item-supplier: fixed shares or grade × capacity
``cold_chain_exposures``   evaluated logger records (a shipment, or a storage unit's day) per
                           temperature range: minutes outside, unknown minutes, MKT, verdict
``trace_index_state``      when the trace index was built and from which movements
``trace_lot_position``     trace index: units of each lot in stock per location
``trace_lot_transit``      trace index: units of each lot in transit per shipment
``trace_lot_issue``        trace index: units of each lot issued per customer, with dates
``trace_lot_edge``         trace index: flows of each lot between nodes (supplier, location,
                           customer, scrap), for genealogy and routes
``trace_serial_state``     trace index: the last movement and whereabouts of every serial
=========================  ======================================================================

Tables (version 7: plan and governance)
---------------------------------------
==========================  ======================================================================
``proposal_controls``       per proposal: approval level needed and why, who requested the pending
                            decision, validity; proposal ids are unique across runs
``approvals``               every approval decision (approve / reject) with role, user, comment
``plan_projection``         per run and proposed item-location: projected stock per day with and
                            without the order, against reorder point and safety stock
``rolling_plan``            per run, item and month: the MRP record (gross requirements, dependent
                            demand, receipts, projected stock, planned orders, spend) and the change
                            against the previous run's plan
``alerts``                  alerts with severity, owner role and action; raised once, tracked while
                            the condition holds, resolved when it clears
``policy_version_details``  per policy version: plan thresholds and the version it restored
``audit_log``               append-only, hash-chained log of imports, policy changes, approvals,
                            overrides, recalls and exports; ``audit_head`` holds the chain's head
``exports``                 every requisition export: files, mapping, lines, value, checksum
==========================  ======================================================================

From version 7, ``proposals.status`` also takes ``pending_approval`` (released, awaiting the
second level) and ``expired`` (not decided within its validity), and ``proposals.proposal_id``
is unique across runs (``P<planning day>-<n>``): see :mod:`replenlib.plan.approval`.

Tables (version 8: policy version requests)
-------------------------------------------
==========================  =====================================================================
``policy_requests``         proposed strategies awaiting a second person: pending, approved (then
                            stored as a policy version) or rejected, with who and why
==========================  =====================================================================
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Migration:
    """One schema step: its version number, a description and the SQL statements."""

    version: int
    description: str
    statements: tuple[str, ...]


_V1_MASTER = (
    """
    CREATE TABLE items (
        item_id VARCHAR PRIMARY KEY,            -- internal item code
        gtin VARCHAR NOT NULL,                  -- GTIN-14 of the base unit, valid GS1 check digit
        description VARCHAR NOT NULL,
        category VARCHAR NOT NULL,              -- see replenlib.demo.catalogue.CATEGORIES
        manufacturer VARCHAR NOT NULL,
        risk_class VARCHAR NOT NULL,            -- regulatory class: 'I', 'II', 'III'
        criticality VARCHAR NOT NULL,           -- 'critical', 'high', 'medium', 'low'
        base_uom VARCHAR NOT NULL,              -- unit of all quantities, e.g. 'EA'
        unit_cost DOUBLE NOT NULL,              -- [CNY per base unit]
        is_serialised BOOLEAN NOT NULL,
        is_lot_controlled BOOLEAN NOT NULL,
        is_consignment BOOLEAN NOT NULL,
        is_substitutable BOOLEAN NOT NULL,
        is_cold_chain BOOLEAN NOT NULL,
        storage_temp_min_c DOUBLE,              -- [°C]
        storage_temp_max_c DOUBLE,              -- [°C]
        allowed_excursion_minutes INTEGER,      -- [min] cumulative time outside range tolerated
        shelf_life_days INTEGER,                -- [days] from manufacture; NULL = no expiry
        min_remaining_shelf_life_days INTEGER,  -- [days] a customer accepts at delivery
        launch_date DATE NOT NULL,
        end_of_life_date DATE,                  -- NULL = still sold
        UNIQUE (gtin)
    )
    """,
    """
    CREATE TABLE item_uom (
        item_id VARCHAR NOT NULL REFERENCES items (item_id),
        uom VARCHAR NOT NULL,                   -- 'EA', 'BX10', 'CS100', ...
        factor_to_base DOUBLE NOT NULL CHECK (factor_to_base > 0),
        gtin VARCHAR,                           -- GTIN of this packaging level
        PRIMARY KEY (item_id, uom)
    )
    """,
    """
    CREATE TABLE locations (
        location_id VARCHAR PRIMARY KEY,
        name VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,                  -- 'central_warehouse', 'regional_dc', 'hospital'
        region VARCHAR NOT NULL,
        city VARCHAR NOT NULL,
        parent_location_id VARCHAR              -- the location that replenishes this one
    )
    """,
    """
    CREATE TABLE customers (
        customer_id VARCHAR PRIMARY KEY,
        name VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,                  -- 'hospital', 'department', 'clinic'
        location_id VARCHAR NOT NULL REFERENCES locations (location_id)  -- served from
    )
    """,
    """
    CREATE TABLE suppliers (
        supplier_id VARCHAR PRIMARY KEY,
        name VARCHAR NOT NULL,
        country VARCHAR NOT NULL,
        is_domestic BOOLEAN NOT NULL,
        is_cold_chain_capable BOOLEAN NOT NULL,
        qualification_status VARCHAR NOT NULL,  -- 'approved', 'conditional', 'blocked'
        qualified_until DATE
    )
    """,
    """
    CREATE TABLE item_supplier (
        item_id VARCHAR NOT NULL REFERENCES items (item_id),
        supplier_id VARCHAR NOT NULL REFERENCES suppliers (supplier_id),
        priority INTEGER NOT NULL,              -- 1 = primary, 2 = backup, ...
        unit_price DOUBLE NOT NULL,             -- [CNY per base unit]
        moq DOUBLE NOT NULL,                    -- [base units] minimum order quantity
        order_multiple DOUBLE NOT NULL,         -- [base units] orders are multiples of this
        quoted_lead_time_days INTEGER NOT NULL, -- [days] supplier's quoted lead time
        PRIMARY KEY (item_id, supplier_id)
    )
    """,
    """
    CREATE TABLE item_location (
        item_id VARCHAR NOT NULL REFERENCES items (item_id),
        location_id VARCHAR NOT NULL REFERENCES locations (location_id),
        source_location_id VARCHAR,             -- NULL = bought from suppliers, else transfer
        transfer_lead_time_days INTEGER,        -- [days] nominal, when replenished by transfer
        erp_reorder_point DOUBLE NOT NULL,      -- [base units] the static ERP setting today
        erp_order_quantity DOUBLE NOT NULL,     -- [base units] the static ERP setting today
        PRIMARY KEY (item_id, location_id)
    )
    """,
)

_V1_TRANSACTIONS = (
    """
    CREATE TABLE demand_history (
        item_id VARCHAR NOT NULL,
        location_id VARCHAR NOT NULL,
        demand_date DATE NOT NULL,
        quantity DOUBLE NOT NULL CHECK (quantity >= 0),          -- [base units] requested
        quantity_shipped DOUBLE NOT NULL CHECK (quantity_shipped >= 0),  -- [base units] served
        PRIMARY KEY (item_id, location_id, demand_date)
    )
    """,
    """
    CREATE TABLE lots (
        lot_id VARCHAR PRIMARY KEY,             -- unique across items
        item_id VARCHAR NOT NULL REFERENCES items (item_id),
        supplier_id VARCHAR NOT NULL,
        lot_number VARCHAR NOT NULL,            -- the manufacturer's lot number (AI 10)
        manufacture_date DATE NOT NULL,
        expiry_date DATE,                       -- NULL = no expiry
        quantity_received DOUBLE NOT NULL,      -- [base units]
        inspection_status VARCHAR NOT NULL,     -- 'pending', 'passed', 'failed'
        CHECK (expiry_date IS NULL OR expiry_date > manufacture_date)
    )
    """,
    """
    CREATE TABLE serials (
        item_id VARCHAR NOT NULL,
        serial_number VARCHAR NOT NULL,         -- AI 21
        lot_id VARCHAR NOT NULL,
        status VARCHAR NOT NULL,                -- 'in_stock', 'issued', 'scrapped', 'recalled'
        location_id VARCHAR,                    -- where it is, when in stock
        customer_id VARCHAR,                    -- who received it, when issued
        PRIMARY KEY (item_id, serial_number)
    )
    """,
    """
    CREATE TABLE stock_on_hand (
        snapshot_date DATE NOT NULL,
        item_id VARCHAR NOT NULL,
        location_id VARCHAR NOT NULL,
        lot_id VARCHAR NOT NULL,
        status VARCHAR NOT NULL,  -- 'available', 'quarantine', 'blocked', 'on_hold', 'recalled', 'expired'
        quantity DOUBLE NOT NULL CHECK (quantity > 0),  -- [base units]
        PRIMARY KEY (snapshot_date, item_id, location_id, lot_id, status)
    )
    """,
    """
    CREATE TABLE purchase_orders (
        po_id VARCHAR NOT NULL,
        po_line INTEGER NOT NULL,
        item_id VARCHAR NOT NULL,
        location_id VARCHAR NOT NULL,           -- receiving location
        supplier_id VARCHAR NOT NULL,
        order_date DATE NOT NULL,
        quantity DOUBLE NOT NULL CHECK (quantity > 0),  -- [base units]
        unit_price DOUBLE NOT NULL,             -- [CNY per base unit]
        confirmed_date DATE NOT NULL,           -- supplier's confirmed delivery date
        status VARCHAR NOT NULL,                -- 'open', 'received', 'cancelled'
        quantity_received DOUBLE NOT NULL,      -- [base units]
        PRIMARY KEY (po_id, po_line)
    )
    """,
    """
    CREATE TABLE receipts (
        receipt_id VARCHAR PRIMARY KEY,
        po_id VARCHAR NOT NULL,
        po_line INTEGER NOT NULL,
        item_id VARCHAR NOT NULL,
        location_id VARCHAR NOT NULL,
        supplier_id VARCHAR NOT NULL,
        lot_id VARCHAR NOT NULL,
        receipt_date DATE NOT NULL,
        quantity DOUBLE NOT NULL CHECK (quantity > 0)  -- [base units]
    )
    """,
    """
    CREATE TABLE inspections (
        inspection_id VARCHAR PRIMARY KEY,
        lot_id VARCHAR NOT NULL,
        receipt_id VARCHAR,
        inspection_date DATE NOT NULL,
        result VARCHAR NOT NULL,                -- 'passed', 'failed'
        reason VARCHAR                          -- why it failed
    )
    """,
    """
    CREATE TABLE shipments (
        shipment_id VARCHAR PRIMARY KEY,
        kind VARCHAR NOT NULL,                  -- 'inbound' (from supplier), 'transfer'
        supplier_id VARCHAR,
        from_location_id VARCHAR,
        to_location_id VARCHAR NOT NULL,
        po_id VARCHAR,
        carrier VARCHAR NOT NULL,
        dispatch_date DATE NOT NULL,
        arrival_date DATE NOT NULL,
        logger_id VARCHAR                       -- temperature logger travelling with it
    )
    """,
    """
    CREATE TABLE movements (
        movement_id BIGINT PRIMARY KEY,
        movement_date DATE NOT NULL,
        kind VARCHAR NOT NULL,       -- 'receipt', 'transfer', 'issue', 'scrap', 'adjustment'
        item_id VARCHAR NOT NULL,
        lot_id VARCHAR NOT NULL,
        serial_number VARCHAR,                  -- set for serialised items (quantity 1)
        from_location_id VARCHAR,               -- NULL for receipts from suppliers
        to_location_id VARCHAR,                 -- NULL for issues and scrap
        customer_id VARCHAR,                    -- set for issues
        reference VARCHAR,                      -- PO, shipment or procedure reference
        quantity DOUBLE NOT NULL CHECK (quantity > 0)  -- [base units]
    )
    """,
    """
    CREATE TABLE temperature_readings (
        logger_id VARCHAR NOT NULL,
        reading_time TIMESTAMP NOT NULL,
        temperature_c DOUBLE NOT NULL,          -- [°C]
        location_id VARCHAR,                    -- storage unit's location (stationary logger)
        shipment_id VARCHAR,                    -- or the shipment it travelled with
        PRIMARY KEY (logger_id, reading_time)
    )
    """,
    """
    CREATE TABLE recalls (
        recall_id VARCHAR PRIMARY KEY,
        announced_date DATE NOT NULL,
        supplier_id VARCHAR,
        item_id VARCHAR,
        reason VARCHAR NOT NULL,
        recall_class VARCHAR NOT NULL           -- 'I', 'II', 'III' (severity, I = highest)
    )
    """,
    """
    CREATE TABLE recall_lots (
        recall_id VARCHAR NOT NULL,
        lot_id VARCHAR NOT NULL,
        PRIMARY KEY (recall_id, lot_id)
    )
    """,
)

_V1_RESULTS = (
    """
    CREATE TABLE policy_versions (
        version_id INTEGER PRIMARY KEY,
        created_at TIMESTAMP NOT NULL,
        author VARCHAR NOT NULL,
        reason VARCHAR NOT NULL,
        approved_by VARCHAR,
        body JSON NOT NULL                      -- the strategy: targets per tier, ...
    )
    """,
    """
    CREATE TABLE runs (
        run_id VARCHAR PRIMARY KEY,
        started_at TIMESTAMP NOT NULL,
        finished_at TIMESTAMP,
        as_of_date DATE NOT NULL,               -- the 'today' the run planned for
        policy_version INTEGER NOT NULL,
        status VARCHAR NOT NULL,                -- 'succeeded' (failed runs write nothing)
        n_series INTEGER NOT NULL,
        n_proposals INTEGER NOT NULL,
        replenlib_version VARCHAR NOT NULL
    )
    """,
    """
    CREATE TABLE forecasts (
        run_id VARCHAR NOT NULL,
        item_id VARCHAR NOT NULL,
        location_id VARCHAR NOT NULL,
        demand_class VARCHAR NOT NULL,          -- 'smooth', 'erratic', 'intermittent', 'lumpy', ...
        adi DOUBLE,                             -- [periods] average inter-demand interval
        cv2 DOUBLE,                             -- squared CV of non-zero demand sizes
        method VARCHAR NOT NULL,                -- 'ses', 'sba', 'fallback', ...
        mean_daily DOUBLE NOT NULL,             -- [base units/day] forecast demand rate
        std_daily DOUBLE NOT NULL,              -- [base units/day] std of daily forecast error
        PRIMARY KEY (run_id, item_id, location_id)
    )
    """,
    """
    CREATE TABLE policy_parameters (
        run_id VARCHAR NOT NULL,
        item_id VARCHAR NOT NULL,
        location_id VARCHAR NOT NULL,
        tier VARCHAR NOT NULL,
        service_measure VARCHAR NOT NULL,       -- 'cycle_service_level' or 'fill_rate'
        service_target DOUBLE NOT NULL,         -- [fraction]
        supplier_id VARCHAR,                    -- NULL when replenished by transfer
        source_location_id VARCHAR,
        lead_time_mean_days DOUBLE NOT NULL,    -- [days]
        lead_time_std_days DOUBLE NOT NULL,     -- [days]
        review_period_days DOUBLE NOT NULL,     -- [days] 0 = continuous review
        safety_stock DOUBLE NOT NULL,           -- [base units]
        reorder_point DOUBLE NOT NULL,          -- [base units]
        order_up_to DOUBLE NOT NULL,            -- [base units]
        order_quantity DOUBLE NOT NULL,         -- [base units] nominal lot size
        unit_cost DOUBLE NOT NULL,              -- [CNY per base unit]
        PRIMARY KEY (run_id, item_id, location_id)
    )
    """,
    """
    CREATE TABLE proposals (
        run_id VARCHAR NOT NULL,
        proposal_id VARCHAR NOT NULL,
        item_id VARCHAR NOT NULL,
        location_id VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,                  -- 'purchase' or 'transfer'
        supplier_id VARCHAR,
        source_location_id VARCHAR,
        quantity DOUBLE NOT NULL CHECK (quantity > 0),  -- [base units]
        order_value DOUBLE NOT NULL,            -- [CNY]
        order_date DATE NOT NULL,
        expected_arrival DATE NOT NULL,
        inventory_position DOUBLE NOT NULL,     -- [base units] at proposal time
        reorder_point DOUBLE NOT NULL,          -- [base units]
        urgency VARCHAR NOT NULL,               -- 'critical', 'high', 'normal'
        urgency_score DOUBLE NOT NULL,          -- higher = more urgent
        reason VARCHAR NOT NULL,
        status VARCHAR NOT NULL,                -- 'proposed', 'approved', 'rejected', 'ordered'
        PRIMARY KEY (run_id, proposal_id)
    )
    """,
    """
    CREATE TABLE run_kpis (
        run_id VARCHAR NOT NULL,
        kpi VARCHAR NOT NULL,                   -- name in replenlib.kpi.definitions.KPIS
        scope VARCHAR NOT NULL,                 -- 'all' or e.g. 'tier=critical'
        value DOUBLE,                           -- NULL when undefined (no data)
        unit VARCHAR NOT NULL,
        PRIMARY KEY (run_id, kpi, scope)
    )
    """,
)

_V3_IMPORTED = (
    """
    CREATE TABLE bom (
        parent_item_id VARCHAR NOT NULL,        -- the item made
        component_item_id VARCHAR NOT NULL,     -- an item consumed to make it
        quantity_per DOUBLE NOT NULL CHECK (quantity_per > 0),  -- [component base units per
                                                -- parent base unit]
        PRIMARY KEY (parent_item_id, component_item_id),
        CHECK (parent_item_id <> component_item_id)
    )
    """,
    """
    CREATE TABLE production_orders (
        production_order_id VARCHAR PRIMARY KEY,
        item_id VARCHAR NOT NULL,               -- the parent item made
        location_id VARCHAR NOT NULL,           -- the plant (a location) that makes it
        quantity_planned DOUBLE NOT NULL CHECK (quantity_planned > 0),     -- [base units]
        quantity_completed DOUBLE NOT NULL CHECK (quantity_completed >= 0), -- [base units]
        start_date DATE NOT NULL,
        due_date DATE NOT NULL,
        status VARCHAR NOT NULL,                -- 'planned', 'released', 'completed', 'cancelled'
        CHECK (due_date >= start_date)
    )
    """,
    """
    CREATE TABLE component_consumption (
        consumption_id VARCHAR PRIMARY KEY,     -- the MES booking id
        production_order_id VARCHAR NOT NULL,
        component_item_id VARCHAR NOT NULL,
        lot_id VARCHAR,                         -- component lot, when lot-controlled
        consumption_date DATE NOT NULL,
        quantity DOUBLE NOT NULL CHECK (quantity > 0)  -- [component base units]
    )
    """,
    """
    CREATE TABLE demand_signals (
        signal_id VARCHAR PRIMARY KEY,
        kind VARCHAR NOT NULL,                  -- 'surgery', 'tender', 'contract'
        item_id VARCHAR NOT NULL,
        location_id VARCHAR NOT NULL,           -- the stock point that will serve it
        customer_id VARCHAR,                    -- the hospital or department, when known
        signal_date DATE NOT NULL,              -- day the demand is expected
        quantity DOUBLE NOT NULL CHECK (quantity > 0),  -- [base units]
        probability DOUBLE NOT NULL CHECK (probability > 0 AND probability <= 1),  -- [fraction]
        status VARCHAR NOT NULL,                -- 'scheduled', 'open', 'won', 'cancelled'
        reference VARCHAR                       -- surgery, tender or contract number
    )
    """,
    """
    CREATE TABLE nonconformances (
        nc_id VARCHAR PRIMARY KEY,
        item_id VARCHAR NOT NULL,
        lot_id VARCHAR,
        supplier_id VARCHAR,
        opened_date DATE NOT NULL,
        closed_date DATE,                       -- NULL = still open
        severity VARCHAR NOT NULL,              -- 'minor', 'major', 'critical'
        disposition VARCHAR,                    -- 'use_as_is', 'rework', 'return', 'scrap'
        description VARCHAR NOT NULL
    )
    """,
    """
    CREATE TABLE udi_scans (
        location_id VARCHAR NOT NULL,
        scanned_at TIMESTAMP NOT NULL,
        raw VARCHAR NOT NULL,                   -- the scanned string, separators made visible
        event VARCHAR NOT NULL,                 -- 'receipt', 'issue', 'count', 'implant'
        standard VARCHAR NOT NULL,              -- 'gs1' or 'hibc'
        item_id VARCHAR NOT NULL,
        product_code VARCHAR NOT NULL,          -- GTIN-14, or HIBC labeler + product code
        lot_number VARCHAR,                     -- AI 10 / HIBC lot
        serial_number VARCHAR,                  -- AI 21 / HIBC serial
        expiry_date DATE,                       -- AI 17 / HIBC expiry
        production_date DATE,                   -- AI 11
        PRIMARY KEY (location_id, scanned_at, raw)
    )
    """,
)

_V3_GOVERNANCE = (
    "CREATE SCHEMA IF NOT EXISTS raw",
    """
    CREATE TABLE loads (
        load_id INTEGER PRIMARY KEY,
        kind VARCHAR NOT NULL,                  -- source kind: 'erp', 'mes', 'wms', ...
        table_name VARCHAR NOT NULL,            -- the table it fed
        mapping VARCHAR NOT NULL,               -- name of the mapping file used
        file_name VARCHAR NOT NULL,             -- the file as given
        file_sha256 VARCHAR NOT NULL,
        mapping_sha256 VARCHAR NOT NULL,
        file_format VARCHAR NOT NULL,           -- 'csv' or 'xlsx'
        encoding VARCHAR NOT NULL,              -- detected or declared text encoding
        loaded_at TIMESTAMP NOT NULL,
        rows_read BIGINT NOT NULL,
        rows_loaded BIGINT NOT NULL,            -- rows that passed (duplicates merged included)
        rows_quarantined BIGINT NOT NULL,       -- rows rejected into quarantine
        duplicates_merged BIGINT NOT NULL,      -- identical repeated rows folded into one
        rows_changed BIGINT NOT NULL,           -- target rows inserted or updated
        warnings VARCHAR NOT NULL,              -- file-level warnings, one per line
        latest_date DATE,                       -- latest business date in the loaded rows
        raw_table VARCHAR NOT NULL              -- raw.load_NNNNNN
    )
    """,
    """
    CREATE TABLE quarantine (
        load_id INTEGER NOT NULL,
        source_file VARCHAR NOT NULL,
        source_row BIGINT,                      -- spreadsheet row: the header is row 1
        column_name VARCHAR,                    -- the source column, as named in the file
        bad_value VARCHAR,
        reason VARCHAR NOT NULL,
        rule VARCHAR NOT NULL,                  -- machine name of the failed rule
        severity VARCHAR NOT NULL               -- 'error' = row not loaded; 'warning' = loaded
    )
    """,
    """
    CREATE TABLE lineage (
        table_name VARCHAR NOT NULL,
        record_key VARCHAR NOT NULL,            -- key columns joined by '|'
        load_id INTEGER NOT NULL,
        source_row BIGINT NOT NULL
    )
    """,
    """
    CREATE TABLE item_xref (
        code VARCHAR PRIMARY KEY,               -- cleaned code as it appears in source files
        item_id VARCHAR NOT NULL,               -- the internal item
        code_kind VARCHAR NOT NULL,             -- 'erp_old', 'supplier', 'hibc', 'duplicate'
        supplier_id VARCHAR,
        load_id INTEGER                         -- NULL when added by a confirmed duplicate
    )
    """,
    """
    CREATE TABLE duplicate_candidates (
        item_id VARCHAR NOT NULL,               -- the likely duplicate
        duplicate_of VARCHAR NOT NULL,          -- the item it probably duplicates
        rule VARCHAR NOT NULL,                  -- 'same_gtin' or 'similar_description'
        score DOUBLE NOT NULL,                  -- [0, 1] similarity
        detail VARCHAR NOT NULL,
        status VARCHAR NOT NULL,                -- 'open', 'confirmed', 'rejected'
        load_id INTEGER,
        decided_by VARCHAR,
        decided_at TIMESTAMP,
        PRIMARY KEY (item_id, duplicate_of)
    )
    """,
)

_V2_POLICY_LABELS = (
    # which policy produced the numbers, what they imply for both service measures, and what
    # shelf life did to them; service_target is NULL for rules without a probability target
    "ALTER TABLE policy_parameters ALTER COLUMN service_target DROP NOT NULL",
    "ALTER TABLE policy_parameters ADD COLUMN policy_type VARCHAR",  # 's_Q', 'R_s_S', 'ddmrp', ...
    "ALTER TABLE policy_parameters ADD COLUMN implied_cycle_service_level DOUBLE",  # [fraction]
    "ALTER TABLE policy_parameters ADD COLUMN implied_fill_rate DOUBLE",  # [fraction]
    "ALTER TABLE policy_parameters ADD COLUMN capped_by_expiry BOOLEAN",
    "ALTER TABLE policy_parameters ADD COLUMN max_order_quantity DOUBLE",  # [base units] shelf life
    "ALTER TABLE policy_parameters ADD COLUMN expected_write_off DOUBLE",  # [base units] lots on hand
    "ALTER TABLE policy_parameters ADD COLUMN write_off_per_order DOUBLE",  # [base units] forced by MOQ
    "ALTER TABLE policy_parameters ADD COLUMN override_reason VARCHAR",  # strategy override applied
)

_DEMAND_RESULTS = (
    """
    CREATE TABLE segments (
        run_id VARCHAR NOT NULL,
        item_id VARCHAR NOT NULL,
        location_id VARCHAR NOT NULL,
        abc_value VARCHAR NOT NULL,             -- 'A', 'B', 'C' by value over the last 52 weeks
        abc_volume VARCHAR NOT NULL,            -- 'A', 'B', 'C' by volume over the last 52 weeks
        xyz VARCHAR NOT NULL,                   -- 'X', 'Y', 'Z' by CV of weekly demand
        demand_class VARCHAR NOT NULL,          -- Syntetos-Boylan: 'smooth', 'erratic', ...
        lifecycle VARCHAR NOT NULL,             -- 'new', 'growth', 'mature', 'decline', 'end_of_life'
        volume DOUBLE NOT NULL,                 -- [base units] demand over the last 52 weeks
        value DOUBLE NOT NULL,                  -- [CNY] volume x unit cost
        cv DOUBLE,                              -- CV of weekly demand (last 52 weeks)
        adi DOUBLE,                             -- [weeks] average inter-demand interval
        cv2 DOUBLE,                             -- squared CV of non-zero demand sizes
        trend_ratio DOUBLE,                     -- last 26 weeks / same weeks a year earlier
        age_weeks DOUBLE NOT NULL,              -- [weeks] since launch or first demand
        PRIMARY KEY (run_id, item_id, location_id)
    )
    """,
    """
    CREATE TABLE forecast_backtests (
        run_id VARCHAR NOT NULL,
        item_id VARCHAR NOT NULL,
        location_id VARCHAR NOT NULL,
        method VARCHAR NOT NULL,                -- candidate method, e.g. 'ses', 'sba', 'auto_ets'
        mae DOUBLE,                             -- [base units/week]
        bias DOUBLE,                            -- [base units/week] forecast - actual
        mase DOUBLE,                            -- MAE / in-sample naive MAE
        rmsse DOUBLE,                           -- root mean squared scaled error
        spis DOUBLE,                            -- [weeks] scaled periods in stock
        pinball DOUBLE,                         -- scaled pinball loss, mean over quantile levels
        n_points INTEGER NOT NULL,              -- evaluated (origin, horizon) points
        chosen BOOLEAN NOT NULL,                -- the method the run uses for this series
        PRIMARY KEY (run_id, item_id, location_id, method)
    )
    """,
    """
    CREATE TABLE forecast_values (
        run_id VARCHAR NOT NULL,
        item_id VARCHAR NOT NULL,
        location_id VARCHAR NOT NULL,
        horizon INTEGER NOT NULL,               -- [weeks] ahead; 1 = the 7 days after the run day
        period_start DATE NOT NULL,             -- first day of the week
        period_end DATE NOT NULL,               -- last day of the week
        mean DOUBLE NOT NULL,                   -- [base units/week], known demand included
        known DOUBLE NOT NULL,                  -- [base units/week] expected CRM known demand
        lower_80 DOUBLE NOT NULL,               -- [base units/week] 10 % quantile
        upper_80 DOUBLE NOT NULL,               -- [base units/week] 90 % quantile
        lower_95 DOUBLE NOT NULL,               -- [base units/week] 2.5 % quantile
        upper_95 DOUBLE NOT NULL,               -- [base units/week] 97.5 % quantile
        PRIMARY KEY (run_id, item_id, location_id, horizon)
    )
    """,
    """
    CREATE TABLE lead_time_demand (
        run_id VARCHAR NOT NULL,
        item_id VARCHAR NOT NULL,
        location_id VARCHAR NOT NULL,
        family VARCHAR NOT NULL,                -- 'normal', 'gamma', 'negative_binomial', ...
        protection_days DOUBLE NOT NULL,        -- [days] mean lead time + review period
        mean DOUBLE NOT NULL,                   -- [base units] over the protection interval
        std DOUBLE NOT NULL,                    -- [base units]
        q50 DOUBLE NOT NULL,                    -- [base units] quantiles of that demand
        q90 DOUBLE NOT NULL,
        q95 DOUBLE NOT NULL,
        q99 DOUBLE NOT NULL,
        PRIMARY KEY (run_id, item_id, location_id)
    )
    """,
)

_SCENARIOS = (
    """
    CREATE TABLE scenario_runs (
        scenario_run_id VARCHAR PRIMARY KEY,
        created_at TIMESTAMP NOT NULL,
        as_of_date DATE NOT NULL,               -- last day of the history the base was read from
        name VARCHAR NOT NULL,                  -- the scenario set's name
        description VARCHAR NOT NULL,
        source_file VARCHAR NOT NULL,           -- the YAML / TOML file, as given
        baseline VARCHAR NOT NULL,              -- scenario the differences are measured to
        business_before VARCHAR,                -- business case: scenario before ...
        business_after VARCHAR,                 -- ... and after
        reference VARCHAR NOT NULL,             -- scenario the levers are compared with
        replications INTEGER NOT NULL,
        horizon_days INTEGER NOT NULL,          -- [days] measured, after the warm-up
        warmup_days INTEGER NOT NULL,           -- [days] not measured
        seed BIGINT NOT NULL,
        demand_source VARCHAR NOT NULL,         -- 'bootstrap' or 'fitted'
        n_series INTEGER NOT NULL,
        seconds DOUBLE NOT NULL,                -- [s] wall time of the run
        replenlib_version VARCHAR NOT NULL
    )
    """,
    """
    CREATE TABLE scenario_definitions (
        scenario_run_id VARCHAR NOT NULL,
        scenario VARCHAR NOT NULL,
        position INTEGER NOT NULL,              -- order in the file
        description VARCHAR NOT NULL,
        overrides JSON NOT NULL,                -- the scenario as written in the file
        PRIMARY KEY (scenario_run_id, scenario)
    )
    """,
    """
    CREATE TABLE scenario_kpis (
        scenario_run_id VARCHAR NOT NULL,
        scenario VARCHAR NOT NULL,
        kpi VARCHAR NOT NULL,                   -- name in replenlib.sim.result.SimKpi
        scope VARCHAR NOT NULL,                 -- 'all', 'tier=critical', 'erp=under', ...
        unit VARCHAR NOT NULL,
        mean DOUBLE,                            -- mean over replications (NULL: undefined)
        std DOUBLE,                             -- standard deviation over replications
        p05 DOUBLE,                             -- 5 % quantile over replications
        p95 DOUBLE,                             -- 95 % quantile over replications
        diff_mean DOUBLE,                       -- paired difference to the baseline (NULL for it)
        diff_low DOUBLE,                        -- 95 % confidence interval of the difference
        diff_high DOUBLE,
        ref_diff_mean DOUBLE,                   -- paired difference to the reference scenario
        ref_diff_low DOUBLE,                    -- (the business case's 'after'), 95 % interval
        ref_diff_high DOUBLE,
        PRIMARY KEY (scenario_run_id, scenario, kpi, scope)
    )
    """,
    """
    CREATE TABLE scenario_series (
        scenario_run_id VARCHAR NOT NULL,
        scenario VARCHAR NOT NULL,
        item_id VARCHAR NOT NULL,
        location_id VARCHAR NOT NULL,
        tier VARCHAR NOT NULL,
        erp_group VARCHAR,                      -- business case: 'erp=under', 'erp=aligned', 'erp=over'
        unit_cost DOUBLE NOT NULL,              -- [CNY per base unit]
        policy_type VARCHAR NOT NULL,           -- 's_Q', 's_S', 'R_S', 'R_s_S', 'min_max', 'ddmrp', 'erp'
        reorder_point DOUBLE,                   -- [base units] NULL for (R, S)
        order_quantity DOUBLE NOT NULL,         -- [base units] (s, nQ) only
        order_up_to DOUBLE,                     -- [base units] NULL for (s, nQ)
        review_period_days INTEGER NOT NULL,
        implied_cycle_service_level DOUBLE,     -- [fraction] what the plan promises (NULL: ERP)
        implied_fill_rate DOUBLE,               -- [fraction] what the plan promises (NULL: ERP)
        fill_rate DOUBLE,                       -- [fraction] mean over replications
        cycle_service_level DOUBLE,             -- [fraction]
        stockout_rate DOUBLE,                   -- [fraction]
        stockout_days DOUBLE NOT NULL,          -- [days] per replication
        average_on_hand DOUBLE NOT NULL,        -- [base units]
        inventory_days DOUBLE,                  -- [days]
        orders_placed DOUBLE NOT NULL,          -- per replication
        expired_units DOUBLE NOT NULL,          -- [base units] per replication
        PRIMARY KEY (scenario_run_id, scenario, item_id, location_id)
    )
    """,
    """
    CREATE TABLE scenario_frontier (
        scenario_run_id VARCHAR NOT NULL,
        target DOUBLE NOT NULL,                 -- [fraction] cycle service level of every series
        kpi VARCHAR NOT NULL,
        mean DOUBLE,
        p05 DOUBLE,
        p95 DOUBLE,
        PRIMARY KEY (scenario_run_id, target, kpi)
    )
    """,
    """
    CREATE TABLE scenario_tornado (
        scenario_run_id VARCHAR NOT NULL,
        scenario VARCHAR NOT NULL,              -- the reference scenario
        factor VARCHAR NOT NULL,                -- 'lead_time', 'demand_level', ...
        kpi VARCHAR NOT NULL,
        swing DOUBLE NOT NULL,                  -- relative move of the factor
        low DOUBLE,                             -- KPI with the factor moved down
        high DOUBLE,                            -- KPI with the factor moved up
        reference DOUBLE,
        PRIMARY KEY (scenario_run_id, factor, kpi)
    )
    """,
    """
    CREATE TABLE scenario_calibration (
        scenario_run_id VARCHAR NOT NULL,
        tier VARCHAR NOT NULL,
        n_series INTEGER NOT NULL,
        measure VARCHAR NOT NULL,               -- 'cycle_service_level' or 'fill_rate'
        target DOUBLE NOT NULL,                 -- [fraction] in that measure
        z_before DOUBLE,                        -- safety factor the strategy implies today
        csl_before DOUBLE,                      -- achieved cycle service level in the replay
        fill_before DOUBLE,                     -- achieved fill rate in the replay
        z_after DOUBLE NOT NULL,                -- calibrated safety factor
        csl_after DOUBLE,
        fill_after DOUBLE,
        reached BOOLEAN NOT NULL,               -- a safety factor on the grid meets the target
        replay_days INTEGER NOT NULL,           -- [days] replayed
        PRIMARY KEY (scenario_run_id, tier)
    )
    """,
)


_V6_SUPPLY_TRACE = (
    """
    CREATE TABLE lot_holds (
        hold_id VARCHAR PRIMARY KEY,
        lot_id VARCHAR NOT NULL,
        location_id VARCHAR,                    -- NULL = the lot everywhere
        kind VARCHAR NOT NULL,                  -- 'recall', 'quarantine', 'excursion', 'damaged', 'manual'
        reason VARCHAR NOT NULL,
        reference VARCHAR,                      -- recall id, cold-chain record, inspection id
        quantity DOUBLE,                        -- [base units] affected when placed (informative)
        placed_at TIMESTAMP NOT NULL,
        placed_by VARCHAR NOT NULL,
        released_at TIMESTAMP,                  -- NULL = active
        released_by VARCHAR,
        release_reason VARCHAR
    )
    """,
    """
    CREATE TABLE supplier_blocks (
        block_id VARCHAR PRIMARY KEY,
        supplier_id VARCHAR NOT NULL,
        item_id VARCHAR,                        -- NULL = every item of the supplier
        reason VARCHAR NOT NULL,
        reference VARCHAR,                      -- e.g. the recall id
        blocked_at TIMESTAMP NOT NULL,
        blocked_by VARCHAR NOT NULL,
        released_at TIMESTAMP,                  -- NULL = active
        released_by VARCHAR
    )
    """,
    """
    CREATE TABLE sourcing_rules (
        item_id VARCHAR NOT NULL,
        supplier_id VARCHAR NOT NULL,
        rule VARCHAR NOT NULL,                  -- 'fixed_share' or 'grade_capacity'
        share DOUBLE,                           -- [fraction] agreed share under 'fixed_share'
        capacity_per_week DOUBLE,               -- [base units/week]; NULL = unlimited
        PRIMARY KEY (item_id, supplier_id)
    )
    """,
    """
    CREATE TABLE cold_chain_exposures (
        record_id VARCHAR NOT NULL,             -- 'S:<shipment>' or 'L:<logger>:<day>'
        logger_id VARCHAR NOT NULL,
        shipment_id VARCHAR,
        location_id VARCHAR,
        window_start TIMESTAMP NOT NULL,
        window_end TIMESTAMP NOT NULL,
        low_c DOUBLE NOT NULL,                  -- [°C] range evaluated
        high_c DOUBLE NOT NULL,                 -- [°C]
        allowed_minutes DOUBLE NOT NULL,        -- [min]
        n_readings INTEGER NOT NULL,
        minutes_above DOUBLE NOT NULL,          -- [min]
        minutes_below DOUBLE NOT NULL,          -- [min]
        unknown_minutes DOUBLE NOT NULL,        -- [min] not covered by readings (gaps)
        longest_gap_minutes DOUBLE NOT NULL,    -- [min]
        max_c DOUBLE,                           -- [°C]
        min_c DOUBLE,                           -- [°C]
        mkt_c DOUBLE,                           -- [°C] mean kinetic temperature
        exposure VARCHAR NOT NULL,              -- 'safe', 'tolerated', 'unknown', 'excursion'
        evaluated_at TIMESTAMP NOT NULL,
        PRIMARY KEY (record_id, low_c, high_c, allowed_minutes)
    )
    """,
    """
    CREATE TABLE trace_index_state (
        built_at TIMESTAMP NOT NULL,
        as_of DATE,                             -- last movement day covered
        movements_count BIGINT NOT NULL,
        max_movement_id BIGINT,
        shipments_count BIGINT NOT NULL
    )
    """,
    """
    CREATE TABLE trace_lot_position (
        lot_id VARCHAR NOT NULL,
        item_id VARCHAR NOT NULL,
        location_id VARCHAR NOT NULL,
        quantity DOUBLE NOT NULL,               -- [base units] arrived minus left
        first_in DATE,
        last_movement DATE
    )
    """,
    """
    CREATE TABLE trace_lot_transit (
        lot_id VARCHAR NOT NULL,
        item_id VARCHAR NOT NULL,
        from_location_id VARCHAR,
        to_location_id VARCHAR NOT NULL,
        shipment_id VARCHAR,
        dispatch_date DATE NOT NULL,
        arrival_date DATE NOT NULL,
        quantity DOUBLE NOT NULL                -- [base units]
    )
    """,
    """
    CREATE TABLE trace_lot_issue (
        lot_id VARCHAR NOT NULL,
        item_id VARCHAR NOT NULL,
        customer_id VARCHAR,                    -- NULL = issued without a known customer
        location_id VARCHAR,                    -- issuing location
        quantity DOUBLE NOT NULL,               -- [base units] issued
        quantity_returned DOUBLE NOT NULL,      -- [base units] returned by the customer
        first_issue DATE,
        last_issue DATE,
        issue_movements BIGINT NOT NULL,        -- issue movements (one per unit when serialised)
        issue_references VARCHAR                -- procedure references where present
    )
    """,
    """
    CREATE TABLE trace_lot_edge (
        lot_id VARCHAR NOT NULL,
        item_id VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,                  -- movement kind
        from_node VARCHAR NOT NULL,             -- 'L:<location>', 'S:<supplier>', 'C:<customer>', 'X'
        to_node VARCHAR NOT NULL,
        quantity DOUBLE NOT NULL,               -- [base units]
        first_date DATE NOT NULL,
        last_date DATE NOT NULL,
        movements BIGINT NOT NULL
    )
    """,
    """
    CREATE TABLE trace_serial_state (
        item_id VARCHAR NOT NULL,
        serial_number VARCHAR NOT NULL,
        lot_id VARCHAR NOT NULL,
        status VARCHAR NOT NULL,                -- 'in_stock', 'in_transit', 'issued', 'scrapped', 'returned', 'adjusted_out'
        location_id VARCHAR,                    -- where it is (or is heading, in transit)
        customer_id VARCHAR,                    -- who received it, when issued
        event_date DATE NOT NULL,               -- date of its last movement
        arrival_date DATE,                      -- in transit: expected arrival
        reference VARCHAR                       -- last movement's reference
    )
    """,
)


_V7_PLAN_GOVERNANCE = (
    """
    CREATE TABLE proposal_controls (
        proposal_id VARCHAR PRIMARY KEY,        -- unique across runs (proposals.proposal_id)
        run_id VARCHAR NOT NULL,
        policy_version INTEGER NOT NULL,        -- the policy version that produced it
        required_level INTEGER NOT NULL,        -- 1 = one release, 2 = a second role approves too
        approval_reasons VARCHAR NOT NULL,      -- ';'-joined: value, beyond_order_up_to, ...
        is_emergency BOOLEAN NOT NULL,
        supplier_status VARCHAR,                -- qualification status at proposal time
        order_up_to DOUBLE NOT NULL,            -- [base units]
        requested_by VARCHAR NOT NULL,          -- who asked for the pending decision
        expires_on DATE NOT NULL,               -- last day it can be approved
        updated_at TIMESTAMP NOT NULL
    )
    """,
    """
    CREATE TABLE approvals (
        approval_id BIGINT PRIMARY KEY,
        proposal_id VARCHAR NOT NULL,
        level INTEGER NOT NULL,                 -- 1 or 2
        decision VARCHAR NOT NULL,              -- 'approve' or 'reject'
        role VARCHAR NOT NULL,
        user_id VARCHAR NOT NULL,
        comment VARCHAR,
        status_after VARCHAR NOT NULL,
        decided_at TIMESTAMP NOT NULL
    )
    """,
    """
    CREATE TABLE plan_projection (
        run_id VARCHAR NOT NULL,
        item_id VARCHAR NOT NULL,
        location_id VARCHAR NOT NULL,
        day DATE NOT NULL,
        stock_without_order DOUBLE NOT NULL,    -- [base units] < 0 = unmet demand
        stock_with_order DOUBLE NOT NULL,       -- [base units]
        reorder_point DOUBLE NOT NULL,          -- [base units]
        safety_stock DOUBLE NOT NULL,           -- [base units]
        PRIMARY KEY (run_id, item_id, location_id, day)
    )
    """,
    """
    CREATE TABLE rolling_plan (
        run_id VARCHAR NOT NULL,
        policy_version INTEGER NOT NULL,
        item_id VARCHAR NOT NULL,
        period DATE NOT NULL,                   -- first day of the month
        supplier_id VARCHAR,                    -- primary supplier (NULL: made in-house)
        low_level_code INTEGER NOT NULL,
        independent_demand DOUBLE NOT NULL,     -- [base units/month] forecast + known demand
        dependent_demand DOUBLE NOT NULL,       -- [base units/month] from parents via the BOM
        gross_requirements DOUBLE NOT NULL,     -- [base units/month]
        scheduled_receipts DOUBLE NOT NULL,     -- [base units/month] open orders and proposals
        projected_on_hand DOUBLE NOT NULL,      -- [base units] end of month
        net_requirements DOUBLE NOT NULL,       -- [base units/month]
        planned_receipts DOUBLE NOT NULL,       -- [base units/month]
        planned_releases DOUBLE NOT NULL,       -- [base units/month] offset by the lead time
        past_due DOUBLE NOT NULL,               -- [base units] releases already late (month 1)
        unit_price DOUBLE NOT NULL,             -- [CNY per base unit]
        planned_spend DOUBLE NOT NULL,          -- [CNY] planned receipts × unit price
        previous_planned_receipts DOUBLE,       -- [base units/month] previous run; NULL = new
        change_planned_receipts DOUBLE NOT NULL,  -- [base units/month] this − previous
        PRIMARY KEY (run_id, item_id, period)
    )
    """,
    """
    CREATE TABLE alerts (
        alert_id BIGINT PRIMARY KEY,
        alert_key VARCHAR NOT NULL,             -- kind:subject; one open alert per key
        kind VARCHAR NOT NULL,                  -- replenlib.plan.alerts.AlertKind
        severity VARCHAR NOT NULL,              -- 'critical', 'high', 'medium', 'low'
        owner_role VARCHAR NOT NULL,
        subject VARCHAR NOT NULL,
        item_id VARCHAR,
        location_id VARCHAR,
        supplier_id VARCHAR,
        message VARCHAR NOT NULL,
        suggested_action VARCHAR NOT NULL,
        status VARCHAR NOT NULL,                -- 'open', 'acknowledged', 'resolved'
        raised_run VARCHAR NOT NULL,
        raised_at TIMESTAMP NOT NULL,
        last_seen_run VARCHAR NOT NULL,
        last_seen_at TIMESTAMP NOT NULL,
        times_seen INTEGER NOT NULL,
        acknowledged_by VARCHAR,
        acknowledged_at TIMESTAMP,
        resolved_run VARCHAR,
        resolved_at TIMESTAMP,
        resolved_by VARCHAR,
        resolution VARCHAR
    )
    """,
    """
    CREATE TABLE policy_version_details (
        version_id INTEGER PRIMARY KEY,
        thresholds JSON NOT NULL,               -- replenlib.plan.thresholds.PlanThresholds
        restored_from INTEGER                   -- set when the version restores an earlier one
    )
    """,
    """
    CREATE TABLE audit_log (
        seq BIGINT PRIMARY KEY,                 -- 1, 2, 3, ... without gaps
        logged_at TIMESTAMP NOT NULL,
        actor VARCHAR NOT NULL,                 -- role/user, or 'system'
        action VARCHAR NOT NULL,                -- replenlib.governance.audit.AuditAction
        entity VARCHAR NOT NULL,
        entity_id VARCHAR NOT NULL,
        details VARCHAR NOT NULL,               -- canonical JSON
        prev_hash VARCHAR NOT NULL,             -- hash of entry seq - 1 (64 zeros for the first)
        hash VARCHAR NOT NULL                   -- SHA-256 of this entry's fields and prev_hash
    )
    """,
    """
    CREATE TABLE audit_head (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        seq BIGINT NOT NULL,
        hash VARCHAR NOT NULL
    )
    """,
    """
    CREATE TABLE exports (
        export_id VARCHAR PRIMARY KEY,
        exported_at TIMESTAMP NOT NULL,
        actor VARCHAR NOT NULL,
        folder VARCHAR NOT NULL,
        files VARCHAR NOT NULL,                 -- ';'-joined file names
        mapping VARCHAR NOT NULL,
        n_lines INTEGER NOT NULL,
        total_value DOUBLE NOT NULL,            -- [CNY]
        sha256 VARCHAR NOT NULL                 -- of the CSV (or the first file)
    )
    """,
)


_POLICY_REQUESTS = (
    """
    CREATE TABLE policy_requests (
        request_id INTEGER PRIMARY KEY,
        created_at TIMESTAMP NOT NULL,
        author VARCHAR NOT NULL,                -- who proposes
        reason VARCHAR NOT NULL,                -- why (and the what-if's assumptions)
        based_on_version INTEGER NOT NULL,      -- the policy version the proposal changes
        body JSON NOT NULL,                     -- the proposed strategy (as policy_versions.body)
        status VARCHAR NOT NULL,                -- 'pending', 'approved', 'rejected'
        decided_by VARCHAR,                     -- a second person, never the author
        decided_at TIMESTAMP,
        comment VARCHAR,
        version_id INTEGER                      -- the policy version an approval created
    )
    """,
)

MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "master data, transactions, pipeline results",
        _V1_MASTER + _V1_TRANSACTIONS + _V1_RESULTS,
    ),
    Migration(
        2,
        "policy parameters: policy type, implied service, expiry caps and write-off",
        _V2_POLICY_LABELS,
    ),
    Migration(
        3,
        "imports: MES, CRM signals, QMS nonconformances, UDI scans; loads, quarantine, lineage",
        _V3_IMPORTED + _V3_GOVERNANCE,
    ),
    Migration(
        4,
        "demand layer: segments, forecast backtests, forecast values, lead-time demand",
        _DEMAND_RESULTS,
    ),
    Migration(
        5, "scenario runs: definitions, KPIs, series, frontier, tornado, calibration", _SCENARIOS
    ),
    Migration(
        6,
        "supply and traceability: holds, supplier blocks, sourcing rules, cold chain, trace index",
        _V6_SUPPLY_TRACE,
    ),
    Migration(
        7,
        "plan and governance: approvals, projections, rolling plan, alerts, audit, exports",
        _V7_PLAN_GOVERNANCE,
    ),
    Migration(
        8, "policy version requests (proposed, approved by a second person)", _POLICY_REQUESTS
    ),
)

SCHEMA_VERSION: int = MIGRATIONS[-1].version

#: Tables a demo or an import fills; the pipeline reads them.
SOURCE_TABLES: tuple[str, ...] = (
    "items",
    "item_uom",
    "locations",
    "customers",
    "suppliers",
    "item_supplier",
    "item_location",
    "demand_history",
    "lots",
    "serials",
    "stock_on_hand",
    "purchase_orders",
    "receipts",
    "inspections",
    "shipments",
    "movements",
    "temperature_readings",
    "recalls",
    "recall_lots",
)

#: Source tables only imports fill (the demo generator does not produce them; it returns one
#: frame per name in :data:`SOURCE_TABLES`). The pipeline and other packages read them too.
IMPORTED_TABLES: tuple[str, ...] = (
    "bom",
    "production_orders",
    "component_consumption",
    "demand_signals",
    "nonconformances",
    "udi_scans",
)

#: Tables the import keeps about itself (not source data; never replaced by a demo load).
GOVERNANCE_TABLES: tuple[str, ...] = (
    "loads",
    "quarantine",
    "lineage",
    "item_xref",
    "duplicate_candidates",
)
