-- Each tenant's plan as its events left it (decision 032): what the API's per-user rate limit follows (rate_tier) and
-- what an operator lists. The tenant itself is the truth for limits and usage (GET /api/v1/billing asks it). A tenant
-- without a row is on the legacy plan (it never had a plan event).
CREATE TABLE tenant_plans (
    tenant_id text NOT NULL PRIMARY KEY,
    plan_id text NOT NULL,
    plan_name text NOT NULL,
    status text NOT NULL,
    rate_tier text NOT NULL,
    period_end timestamp with time zone,
    grace_until timestamp with time zone,
    lapsed_from text,
    updated_at timestamp with time zone NOT NULL
);
CREATE INDEX ix_tenant_plans_plan ON tenant_plans (plan_id);

GRANT SELECT ON tenant_plans TO trading_reader;
ALTER TABLE tenant_plans ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_rows ON tenant_plans USING (tenant_id = current_setting('app.tenant_id', true));
