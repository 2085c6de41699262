-- Price marks (decision 030): the last price of each symbol in each minute, as the API node saw it arrive, for the
-- performance curves of bots and subscriptions. Market data, nobody's own: no row level security, the reader may
-- read every row. Minutes older than the retention are thinned to the last one of each hour.
CREATE TABLE price_marks (
    symbol text NOT NULL,
    minute timestamp with time zone NOT NULL,
    at timestamp with time zone NOT NULL,
    price numeric NOT NULL,
    PRIMARY KEY (symbol, minute)
);
GRANT SELECT ON price_marks TO trading_reader;

-- A bot's fills are its orders' (orders.source), a subscription's carry its id: both read per tenant in order.
CREATE INDEX ix_orders_tenant_source ON orders (tenant_id, source);
CREATE INDEX ix_executions_tenant_order ON executions (tenant_id, client_order_id);
CREATE INDEX ix_executions_tenant_subscription ON executions (tenant_id, subscription_id, execution_id);
