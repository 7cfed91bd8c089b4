-- Upload jobs of the web (issue 17 item 7): kept here rather than in the
-- server's memory, so that the list of uploads, each job's status and its
-- error reports survive a restart. Only the account that uploaded sees a
-- job; `scope` records what that account reached when it uploaded.
-- `owner` is the process running the job (`host:pid`, as import_batches):
-- a job left 'running' by a process that is gone is marked 'stopped' when
-- the server next starts. Counters are BIGINT; flags 0/1.
CREATE TABLE import_jobs (
    job_id           {pk},
    account_id       BIGINT NOT NULL REFERENCES accounts(account_id),
    scope            TEXT NOT NULL,
    kind             TEXT NOT NULL,
    file_name        TEXT NOT NULL,
    dry_run          BIGINT NOT NULL DEFAULT 0,
    owner            TEXT,
    status           TEXT NOT NULL DEFAULT 'running',
    rows_done        BIGINT NOT NULL DEFAULT 0,
    rows_total       BIGINT NOT NULL DEFAULT 0,
    accepted         BIGINT NOT NULL DEFAULT 0,
    rejected         BIGINT NOT NULL DEFAULT 0,
    inserted         BIGINT NOT NULL DEFAULT 0,
    updated          BIGINT NOT NULL DEFAULT 0,
    unchanged        BIGINT NOT NULL DEFAULT 0,
    failure          TEXT,
    note             TEXT,
    warnings         TEXT NOT NULL DEFAULT '[]',
    errors           TEXT NOT NULL DEFAULT '[]',
    errors_truncated BIGINT NOT NULL DEFAULT 0,
    batch_id         BIGINT,
    created_at       TEXT NOT NULL,
    finished_at      TEXT
);

CREATE INDEX import_jobs_account ON import_jobs (account_id, job_id);
CREATE INDEX import_jobs_status ON import_jobs (status);

-- The error reports as written (.xlsx and .csv): they carry the rejected
-- rows' own cells, which nothing else keeps once the upload is removed.
CREATE TABLE import_job_reports (
    job_id  BIGINT NOT NULL REFERENCES import_jobs(job_id),
    format  TEXT NOT NULL,
    bytes   {blob} NOT NULL,
    PRIMARY KEY (job_id, format)
);
