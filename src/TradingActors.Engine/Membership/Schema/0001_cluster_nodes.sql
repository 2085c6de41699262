-- The cluster's member directory (decision 016): each node with Trading:Cluster:Discovery = postgres writes its row
-- at start and on every heartbeat, marks it up once it is an Up member, and deletes it when it leaves. A joining node
-- takes the fresh up rows as its seed nodes. last_seen is the database's clock, so nodes' clocks need not agree.
CREATE TABLE cluster_nodes (
    service      text        NOT NULL,
    akka_address text        NOT NULL,
    roles        text        NOT NULL,
    up           boolean     NOT NULL DEFAULT false,
    started_at   timestamptz NOT NULL DEFAULT now(),
    last_seen    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (service, akka_address)
);
