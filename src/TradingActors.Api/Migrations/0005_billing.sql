-- Stripe billing (decisions 033, 034): each user's Stripe customer and current subscription, the webhook events handled
-- (a delivery seen again is answered without effect), and the invoices mirrored for GET /api/v1/billing/invoices.
CREATE TABLE billing_customers (
    user_id uuid NOT NULL PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    stripe_customer_id text NOT NULL UNIQUE,
    stripe_subscription_id text,
    updated_at timestamp with time zone NOT NULL
);

CREATE TABLE stripe_events (
    event_id text NOT NULL PRIMARY KEY,
    type text NOT NULL,
    outcome text NOT NULL,
    handled_at timestamp with time zone NOT NULL
);

CREATE TABLE invoices (
    invoice_id text NOT NULL PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    number text,
    status text,
    amount_due bigint NOT NULL,
    amount_paid bigint NOT NULL,
    currency text NOT NULL,
    period_start timestamp with time zone,
    period_end timestamp with time zone,
    created_at timestamp with time zone NOT NULL,
    hosted_invoice_url text,
    subscription_id text,
    updated_at timestamp with time zone NOT NULL
);
CREATE INDEX ix_invoices_user_created ON invoices (user_id, created_at DESC);

-- A user's invoices are its tenant's data: read as trading_reader under row level security, like the audit trail.
GRANT SELECT ON invoices TO trading_reader;
ALTER TABLE invoices ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_rows ON invoices USING (user_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
