-- Subscriptions have their own ids (decision 010): a tenant follows a strategy on several accounts, at most one
-- subscription per (strategy, account). The rows written before are the strategies' default subscriptions, whose
-- id is the strategy id; their orders and executions belong to them.

ALTER TABLE subscriptions ADD COLUMN subscription_id text;
UPDATE subscriptions SET subscription_id = strategy_id;
ALTER TABLE subscriptions ALTER COLUMN subscription_id SET NOT NULL;
ALTER TABLE subscriptions DROP CONSTRAINT subscriptions_pkey;
ALTER TABLE subscriptions ADD PRIMARY KEY (tenant_id, subscription_id);
CREATE INDEX ix_subscriptions_strategy ON subscriptions (strategy_id, status);

-- The subscription an order or execution came from (null for manual orders): GET /api/v1/orders?subscription=.
ALTER TABLE orders ADD COLUMN subscription_id text;
UPDATE orders SET subscription_id = strategy_id WHERE strategy_id IS NOT NULL;
CREATE INDEX ix_orders_tenant_subscription ON orders (tenant_id, subscription_id, submitted_at DESC, client_order_id DESC);

ALTER TABLE executions ADD COLUMN subscription_id text;
UPDATE executions SET subscription_id = strategy_id WHERE strategy_id IS NOT NULL;

-- Subscribers per strategy across tenants, for GET /api/v1/strategies: counts only, never a tenant's row. A view
-- runs with its owner's rights (the owner is not subject to row level security), so the reader sees the totals
-- while the subscriptions table itself stays limited to the caller's rows.
CREATE VIEW strategy_subscribers AS
    SELECT strategy_id, count(DISTINCT tenant_id) AS subscribers, count(*) AS subscriptions
    FROM subscriptions WHERE status = 'active' GROUP BY strategy_id;

GRANT SELECT ON strategy_subscribers TO trading_reader;
