-- The live stream keeps a window of recent changes (Trading:ReadModels:FeedRetention); the projection
-- deletes older rows. pruned_before: every feed row with a smaller event_id is gone, so a client that
-- resumes from before it is told to reload (the stream's "reset" event) instead of silently missing
-- changes. One row for the whole cluster; it holds no tenant's data (a journal ordering), so no RLS.
CREATE TABLE tenant_feed_horizon (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    pruned_before bigint NOT NULL
);
INSERT INTO tenant_feed_horizon (only_row, pruned_before) VALUES (true, 0);
GRANT SELECT ON tenant_feed_horizon TO trading_reader;

-- Pruning walks the feed in journal order across tenants (the primary key starts with the tenant).
CREATE INDEX tenant_feed_event ON tenant_feed (event_id);
