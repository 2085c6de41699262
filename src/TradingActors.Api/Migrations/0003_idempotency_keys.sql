-- Idempotency-Key of POSTs that create or trade: the first request's body hash and, once it has
-- completed, its response. The same key with the same body replays that response; with another body it
-- is refused (422). Kept 24 hours (as long as a tenant remembers a manual order's id).
CREATE TABLE idempotency_keys (
    user_id uuid NOT NULL,
    key text NOT NULL,
    request_hash bytea NOT NULL,
    status_code integer,
    location text,
    response text,
    created_at timestamp with time zone NOT NULL,
    CONSTRAINT pk_idempotency_keys PRIMARY KEY (user_id, key)
);
CREATE INDEX ix_idempotency_keys_created_at ON idempotency_keys (created_at);
