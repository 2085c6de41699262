-- What GET /api/v1/stream sends: one row per change a trader sees (an order's status, an execution, a
-- subscription change), in journal order. event_id is the journal ordering of the event that made the
-- change and part the change's place within that event (0: the order or subscription, 1: the execution);
-- together they are the stream's event id, so a client resumes with Last-Event-ID exactly after what it saw.
CREATE TABLE tenant_feed (
    tenant_id text NOT NULL,
    event_id bigint NOT NULL,
    part smallint NOT NULL,
    kind text NOT NULL,
    ref text NOT NULL,
    occurred_at timestamp with time zone NOT NULL,
    PRIMARY KEY (tenant_id, event_id, part)
);

GRANT SELECT ON tenant_feed TO trading_reader;
ALTER TABLE tenant_feed ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_rows ON tenant_feed USING (tenant_id = current_setting('app.tenant_id', true));
