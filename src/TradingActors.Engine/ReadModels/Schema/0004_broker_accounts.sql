-- Broker accounts as GET /api/v1/broker-accounts shows them (never a secret: the last 4 characters of the key id
-- at most), and each tenant's credential key by the master key that wraps it (what a rotation still has to do).
ALTER TABLE accounts
    ADD COLUMN label text,
    ADD COLUMN mode text NOT NULL DEFAULT 'live',
    ADD COLUMN status text NOT NULL DEFAULT 'unverified',
    ADD COLUMN status_reason text,
    ADD COLUMN key_id_hint text,
    ADD COLUMN is_primary boolean NOT NULL DEFAULT false,
    ADD COLUMN verified_at timestamp with time zone;

-- Rows projected before this migration: the paper venue's accounts are paper, always verified, the first one primary.
UPDATE accounts SET mode = 'paper', status = 'verified' WHERE venue = 'paper';
UPDATE accounts a SET is_primary = true
WHERE a.account_id = (SELECT min(b.account_id COLLATE "C") FROM accounts b WHERE b.tenant_id = a.tenant_id AND b.venue = a.venue);

CREATE TABLE credential_keys (
    tenant_id text NOT NULL PRIMARY KEY,
    master_key_id text NOT NULL,
    updated_at timestamp with time zone NOT NULL
);
CREATE INDEX ix_credential_keys_master_key_id ON credential_keys (master_key_id);

GRANT SELECT ON credential_keys TO trading_reader;
ALTER TABLE credential_keys ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_rows ON credential_keys USING (tenant_id = current_setting('app.tenant_id', true));
