-- Limit orders (decision 024): each order's type and limit price, as its intent fixed them. Orders projected before
-- this migration were all market orders. Statuses gain 'working' (held by the venue, not ended: filled_quantity,
-- fill_price and fee are what filled so far) and 'cancelled'; status is free text, so they need no change here.
ALTER TABLE orders
    ADD COLUMN order_type text NOT NULL DEFAULT 'market',
    ADD COLUMN limit_price numeric;
