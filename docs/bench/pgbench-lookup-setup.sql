-- The public lookup's own query for pgbench: the database alone answering
-- what `jineng bench lookup` asks through the web server (docs/scale.md,
-- Public lookup). Run once on the bench's database (`bench lookup --keep`
-- on PostgreSQL leaves it as jineng_bench_lookup):
--   psql -h 127.0.0.1 -U postgres jineng_bench_lookup -f docs/bench/pgbench-lookup-setup.sql
-- (it prints N, the number of keys), then
--   pgbench -h 127.0.0.1 -U postgres -n -M prepared -c 32 -j 2 -T 10 -D keys=N \
--     -f docs/bench/pgbench-lookup.sql jineng_bench_lookup
-- The keys table numbers each (name, certificate number) pair, so a
-- pgbench variable can pick one; the extra primary-key probe makes the
-- script a little more work than the lookup itself.
DROP TABLE IF EXISTS bench_lookup_keys;
CREATE TABLE bench_lookup_keys AS
    SELECT row_number() OVER (ORDER BY ce.cert_no) AS i, p.name, ce.cert_no
    FROM certificates ce JOIN persons p ON p.person_id = ce.person_id;
ALTER TABLE bench_lookup_keys ADD PRIMARY KEY (i);
ANALYZE bench_lookup_keys;
SELECT count(*) AS keys FROM bench_lookup_keys;
