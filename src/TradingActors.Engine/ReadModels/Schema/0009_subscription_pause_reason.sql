-- Why a subscription is paused when it was not the trader's own pause (decision 032: a lapsed or smaller plan), so
-- GET /api/v1/subscriptions and the stream can say it. NULL: active, or paused by the trader.
ALTER TABLE subscriptions ADD COLUMN pause_reason text;
