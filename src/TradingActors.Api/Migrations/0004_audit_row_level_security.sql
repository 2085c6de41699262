-- The audit trail is a tenant's data too: GET /api/v1/audit reads it as trading_reader under row level security,
-- like the trading read models. A user's tenant id is the user id without dashes, which PostgreSQL reads as a uuid,
-- so the policy compares uuids and the (user_id, id) index serves it. The API writes the trail as the owner.
DO $$ BEGIN
    CREATE ROLE trading_reader NOLOGIN NOSUPERUSER NOBYPASSRLS;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;

GRANT USAGE ON SCHEMA public TO trading_reader;
GRANT SELECT ON audit TO trading_reader;
ALTER TABLE audit ENABLE ROW LEVEL SECURITY;
-- current_setting(..., true) is NULL when unset: no tenant, no rows.
CREATE POLICY tenant_rows ON audit USING (user_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
