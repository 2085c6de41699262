-- Backtest jobs and their outputs (decision 029). A job row is created by the API node that took the request (as the
-- database owner), moved along by the job's coordinator (running, progress, completed / failed / cancelled) and read by
-- the API as trading_reader under row level security: a job and its outputs belong to the caller's tenant.
CREATE TABLE backtest_jobs (
    id text PRIMARY KEY,
    tenant_id text NOT NULL,
    -- backtest (one recorded run) or sweep (a grid of metric-only runs, ranked)
    kind text NOT NULL,
    -- queued, running, completed, failed, cancelled
    status text NOT NULL,
    -- the job as submitted (BacktestJobSpec; inline bars are not kept)
    spec jsonb NOT NULL,
    points_total integer NOT NULL,
    points_done integer NOT NULL DEFAULT 0,
    -- the cluster member (address and uid) whose coordinator runs the job: a job whose member left is failed
    owner_node text NOT NULL,
    error text,
    -- how many of its points each node ran (the first completion of each point), written when it completes
    runs_by_node jsonb,
    created_at timestamp with time zone NOT NULL,
    started_at timestamp with time zone,
    finished_at timestamp with time zone,
    -- the coordinator touches it every second while the job runs
    heartbeat_at timestamp with time zone NOT NULL
);
CREATE INDEX ix_backtest_jobs_tenant ON backtest_jobs (tenant_id, created_at DESC);
CREATE INDEX ix_backtest_jobs_active ON backtest_jobs (status) WHERE status IN ('queued', 'running');

-- A finished job's documents: report.json, equity.csv, trades.csv, chart.svg (a backtest); results.json, results.csv (a sweep).
CREATE TABLE backtest_outputs (
    job_id text NOT NULL REFERENCES backtest_jobs (id) ON DELETE CASCADE,
    name text NOT NULL,
    tenant_id text NOT NULL,
    content text NOT NULL,
    PRIMARY KEY (job_id, name)
);

DO $$ BEGIN
    CREATE ROLE trading_reader NOLOGIN NOSUPERUSER NOBYPASSRLS;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;
GRANT USAGE ON SCHEMA public TO trading_reader;
GRANT SELECT ON backtest_jobs, backtest_outputs TO trading_reader;
ALTER TABLE backtest_jobs ENABLE ROW LEVEL SECURITY;
ALTER TABLE backtest_outputs ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_rows ON backtest_jobs USING (tenant_id = current_setting('app.tenant_id', true));
CREATE POLICY tenant_rows ON backtest_outputs USING (tenant_id = current_setting('app.tenant_id', true));
