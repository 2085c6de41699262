-- TOTP replay guard: the time step of the last accepted authenticator code. A code is accepted only for a
-- later step, so one code (or an earlier one) is never accepted twice.
ALTER TABLE users ADD COLUMN authenticator_last_time_step bigint;

-- GET /api/v1/audit pages a user's trail newest first by id.
CREATE INDEX ix_audit_user_id_id ON audit (user_id, id);
