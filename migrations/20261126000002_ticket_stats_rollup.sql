-- Dashboard statistics without scanning `tickets`, and indexes for the list shapes the first
-- migration left to filtering.
--
-- The statistics read counters that every write to `tickets` maintains in its own transaction,
-- so any snapshot sees tickets and counters agree: exactly a full recount, under concurrency,
-- whoever writes (the API, psql, COPY, MERGE). The triggers are statement-level with transition
-- tables: a bulk load updates the counters with one aggregated statement, not one per row.
-- Design and write cost: bench/README.md.

-- Tickets per UTC creation day and label. The grain a full recount groups by; concurrent
-- creates land on one of 64 rows of the day, not all on one.
CREATE TABLE ticket_counts_by_day (
    day      date   NOT NULL,
    category text   NOT NULL,
    priority text   NOT NULL,
    status   text   NOT NULL,
    tickets  bigint NOT NULL,
    PRIMARY KEY (day, category, priority, status)
) WITH (fillfactor = 70);

-- All-time tickets per label (at most 64 rows): what the dashboard sums.
CREATE TABLE ticket_counts (
    category text   NOT NULL,
    priority text   NOT NULL,
    status   text   NOT NULL,
    tickets  bigint NOT NULL,
    PRIMARY KEY (category, priority, status)
) WITH (fillfactor = 50);

-- Per UTC day, how many rows of ticket_counts_by_day are above zero. It changes only when one
-- of those rows leaves or reaches zero, so it is not a row every create must lock; a day has
-- tickets exactly when live_groups > 0.
CREATE TABLE ticket_days (
    day         date    PRIMARY KEY,
    live_groups integer NOT NULL
) WITH (fillfactor = 70);

-- Counters are updated in place all day long: vacuum them often so they stay a few pages.
ALTER TABLE ticket_counts SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000);
ALTER TABLE ticket_counts_by_day SET (autovacuum_vacuum_scale_factor = 0.05, autovacuum_vacuum_threshold = 1000);
ALTER TABLE ticket_days SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000);

-- Adds signed per-(day, label) deltas to all three tables. Rows are locked in key order, table
-- by table in the same order for every writer, so concurrent writers wait for each other
-- instead of deadlocking. Counter rows that reach zero stay (a later ticket reuses them).
CREATE FUNCTION ticket_rollup_apply(deltas ticket_counts_by_day[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    WITH by_day AS (
        INSERT INTO ticket_counts_by_day AS c (day, category, priority, status, tickets)
        SELECT d.day, d.category, d.priority, d.status, d.tickets
        FROM unnest(deltas) AS d
        ORDER BY d.day, d.category, d.priority, d.status
        ON CONFLICT (day, category, priority, status)
            DO UPDATE SET tickets = c.tickets + excluded.tickets
        RETURNING c.day, c.category, c.priority, c.status, c.tickets
    ),
    liveness AS (
        SELECT b.day,
               sum(CASE WHEN b.tickets > 0 AND b.tickets - d.tickets = 0 THEN 1
                        WHEN b.tickets = 0 AND b.tickets - d.tickets > 0 THEN -1
                        ELSE 0 END) AS change
        FROM by_day AS b
        JOIN unnest(deltas) AS d USING (day, category, priority, status)
        GROUP BY b.day
    ),
    totals AS (
        INSERT INTO ticket_counts AS t (category, priority, status, tickets)
        SELECT d.category, d.priority, d.status, sum(d.tickets)
        FROM unnest(deltas) AS d
        GROUP BY d.category, d.priority, d.status
        HAVING sum(d.tickets) <> 0
        ORDER BY d.category, d.priority, d.status
        ON CONFLICT (category, priority, status)
            DO UPDATE SET tickets = t.tickets + excluded.tickets
    )
    INSERT INTO ticket_days AS td (day, live_groups)
    SELECT l.day, l.change
    FROM liveness AS l
    WHERE l.change <> 0
    ORDER BY l.day
    ON CONFLICT (day) DO UPDATE SET live_groups = td.live_groups + excluded.live_groups;
END;
$$;

-- One function for the three statement triggers below; each names its transition tables so
-- only the branch of the firing event reads them. Unchanged labels and days (a title edit, a
-- no-op PATCH) net to zero and write nothing.
CREATE FUNCTION tickets_rollup() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    deltas ticket_counts_by_day[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        deltas := ARRAY(
            SELECT ROW((n.created_at AT TIME ZONE 'UTC')::date, n.category, n.priority, n.status,
                       count(*))::ticket_counts_by_day
            FROM new_rows AS n
            GROUP BY (n.created_at AT TIME ZONE 'UTC')::date, n.category, n.priority, n.status);
    ELSIF TG_OP = 'UPDATE' THEN
        deltas := ARRAY(
            SELECT ROW(c.day, c.category, c.priority, c.status, sum(c.change))::ticket_counts_by_day
            FROM (
                SELECT (n.created_at AT TIME ZONE 'UTC')::date AS day, n.category, n.priority,
                       n.status, 1 AS change
                FROM new_rows AS n
                UNION ALL
                SELECT (o.created_at AT TIME ZONE 'UTC')::date, o.category, o.priority,
                       o.status, -1
                FROM old_rows AS o
            ) AS c
            GROUP BY c.day, c.category, c.priority, c.status
            HAVING sum(c.change) <> 0);
    ELSE
        deltas := ARRAY(
            SELECT ROW((o.created_at AT TIME ZONE 'UTC')::date, o.category, o.priority, o.status,
                       -count(*))::ticket_counts_by_day
            FROM old_rows AS o
            GROUP BY (o.created_at AT TIME ZONE 'UTC')::date, o.category, o.priority, o.status);
    END IF;
    IF cardinality(deltas) > 0 THEN
        PERFORM ticket_rollup_apply(deltas);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER tickets_rollup_insert
    AFTER INSERT ON tickets
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT
    EXECUTE FUNCTION tickets_rollup();

CREATE TRIGGER tickets_rollup_update
    AFTER UPDATE ON tickets
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT
    EXECUTE FUNCTION tickets_rollup();

CREATE TRIGGER tickets_rollup_delete
    AFTER DELETE ON tickets
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT
    EXECUTE FUNCTION tickets_rollup();

-- TRUNCATE fires no row or DELETE trigger: empty the counters with it.
CREATE FUNCTION tickets_rollup_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM ticket_counts_by_day;
    DELETE FROM ticket_counts;
    DELETE FROM ticket_days;
    RETURN NULL;
END;
$$;

CREATE TRIGGER tickets_rollup_truncate
    AFTER TRUNCATE ON tickets
    FOR EACH STATEMENT
    EXECUTE FUNCTION tickets_rollup_truncate();

-- Recomputes every counter from `tickets`: for existing data below, and for repair after
-- writes that bypassed triggers (session_replication_role = replica, disabled triggers).
-- Blocks ticket writes while it runs.
CREATE FUNCTION ticket_rollup_rebuild() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    LOCK TABLE tickets IN SHARE MODE;
    DELETE FROM ticket_counts_by_day;
    DELETE FROM ticket_counts;
    DELETE FROM ticket_days;
    INSERT INTO ticket_counts_by_day (day, category, priority, status, tickets)
    SELECT (created_at AT TIME ZONE 'UTC')::date, category, priority, status, count(*)
    FROM tickets
    GROUP BY 1, 2, 3, 4;
    INSERT INTO ticket_counts (category, priority, status, tickets)
    SELECT category, priority, status, sum(tickets)
    FROM ticket_counts_by_day
    GROUP BY 1, 2, 3;
    INSERT INTO ticket_days (day, live_groups)
    SELECT day, count(*)
    FROM ticket_counts_by_day
    GROUP BY 1;
END;
$$;

SELECT ticket_rollup_rebuild();

-- Two-label filters in list order. Status is the filter agents combine with the others
-- ("open billing", "open critical"); the remaining combinations (category with priority, all
-- three) walk one of these or a single-label index and filter, reading about four index
-- entries per row returned.
CREATE INDEX tickets_category_status_newest_idx
    ON tickets (category, status, created_at DESC, id DESC);
CREATE INDEX tickets_priority_status_newest_idx
    ON tickets (priority, status, created_at DESC, id DESC);
