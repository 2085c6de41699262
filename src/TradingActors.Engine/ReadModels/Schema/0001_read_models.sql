-- Read models projected from the tenants' journal (ReadModelProjection). Written only by the
-- projection, as the database owner; read by the API as trading_reader, a role that is neither the
-- owner nor BYPASSRLS, with app.tenant_id set per transaction: every table below has row level
-- security on its tenant column, so a query that forgets its WHERE still sees only the caller's rows.

-- Where the projection is in the journal (the tag table's ordering), written in the same transaction
-- as the rows of the events up to it.
CREATE TABLE projection_offsets (
    projection text PRIMARY KEY,
    ordering bigint NOT NULL,
    updated_at timestamp with time zone NOT NULL
);

-- Per tenant: the journal sequence number projected so far. A command's reply carries its event's
-- sequence number; a read that names it waits until this row reaches it (read-your-writes).
CREATE TABLE tenant_progress (
    tenant_id text PRIMARY KEY,
    sequence_nr bigint NOT NULL
);

CREATE TABLE accounts (
    tenant_id text NOT NULL,
    account_id text NOT NULL,
    venue text NOT NULL,
    -- Paper accounts only: their balances are the tenant's own (an external venue owns its cash).
    starting_cash numeric,
    cash numeric,
    linked_at timestamp with time zone NOT NULL,
    PRIMARY KEY (tenant_id, account_id)
);

CREATE TABLE subscriptions (
    tenant_id text NOT NULL,
    strategy_id text NOT NULL,
    account_id text NOT NULL,
    symbol text NOT NULL,
    budget numeric NOT NULL,
    status text NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    PRIMARY KEY (tenant_id, strategy_id)
);

-- One row per order (client order id), its latest status; submitted_at orders the pages.
CREATE TABLE orders (
    tenant_id text NOT NULL,
    client_order_id text NOT NULL,
    account_id text NOT NULL,
    source text NOT NULL,
    strategy_id text,
    source_sequence bigint NOT NULL,
    symbol text NOT NULL,
    side text NOT NULL,
    quantity numeric NOT NULL,
    reference_price numeric NOT NULL,
    status text NOT NULL,
    reason text,
    filled_quantity numeric,
    fill_price numeric,
    fee numeric,
    venue_order_id text,
    submitted_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    PRIMARY KEY (tenant_id, client_order_id)
);
CREATE INDEX ix_orders_tenant_submitted ON orders (tenant_id, submitted_at DESC, client_order_id DESC);

-- Every outcome of an order or of a run of skipped signals, once; the journal ordering is its id.
CREATE TABLE executions (
    tenant_id text NOT NULL,
    execution_id bigint NOT NULL,
    kind text NOT NULL,
    client_order_id text,
    account_id text,
    strategy_id text,
    symbol text,
    side text,
    quantity numeric,
    price numeric,
    fee numeric,
    reason text,
    from_sequence bigint,
    to_sequence bigint,
    occurred_at timestamp with time zone NOT NULL,
    PRIMARY KEY (tenant_id, execution_id)
);

-- Holdings per account and symbol at average cost; realized PnL net of fees.
CREATE TABLE positions (
    tenant_id text NOT NULL,
    account_id text NOT NULL,
    symbol text NOT NULL,
    quantity numeric NOT NULL,
    cost numeric NOT NULL,
    realized_pnl numeric NOT NULL,
    last_fill_price numeric NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    PRIMARY KEY (tenant_id, account_id, symbol)
);

-- The reader role exists once per server; tests create many databases on one server at once.
DO $$
BEGIN
    CREATE ROLE trading_reader NOLOGIN NOSUPERUSER NOBYPASSRLS;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;

GRANT USAGE ON SCHEMA public TO trading_reader;
GRANT SELECT ON accounts, subscriptions, orders, executions, positions, tenant_progress TO trading_reader;

ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;
ALTER TABLE subscriptions ENABLE ROW LEVEL SECURITY;
ALTER TABLE orders ENABLE ROW LEVEL SECURITY;
ALTER TABLE executions ENABLE ROW LEVEL SECURITY;
ALTER TABLE positions ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_progress ENABLE ROW LEVEL SECURITY;

-- current_setting(..., true) is NULL when unset: no tenant, no rows.
CREATE POLICY tenant_rows ON accounts USING (tenant_id = current_setting('app.tenant_id', true));
CREATE POLICY tenant_rows ON subscriptions USING (tenant_id = current_setting('app.tenant_id', true));
CREATE POLICY tenant_rows ON orders USING (tenant_id = current_setting('app.tenant_id', true));
CREATE POLICY tenant_rows ON executions USING (tenant_id = current_setting('app.tenant_id', true));
CREATE POLICY tenant_rows ON positions USING (tenant_id = current_setting('app.tenant_id', true));
CREATE POLICY tenant_rows ON tenant_progress USING (tenant_id = current_setting('app.tenant_id', true));
