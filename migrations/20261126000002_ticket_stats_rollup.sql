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

-- One function for the three statement triggers below; each names its transition tables so
-- only the branch of the firing event reads them. The statement's rows become signed deltas per
-- (day, labels); labels and days that net to zero (a title edit, a no-op PATCH) write nothing.
-- A delta has the shape of a row of ticket_counts_by_day.
--
-- Rows are locked in one order for every writer, so concurrent writers wait for each other
-- instead of deadlocking: ticket_counts_by_day in key order, then ticket_days in day order,
-- then ticket_counts in key order. Counter rows that reach zero stay (a later ticket reuses
-- them). Simple statements in a loop, rather than one statement with data-modifying CTEs,
-- because an API write has one delta and the simple form costs it a fraction of the time.
CREATE FUNCTION tickets_rollup() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    deltas ticket_counts_by_day[];
    delta ticket_counts_by_day;
    counted bigint;
    changed_days date[] := '{}';
    day_changes integer[] := '{}';
    label record;
BEGIN
    IF TG_OP = 'INSERT' THEN
        deltas := ARRAY(
            SELECT ROW((n.created_at AT TIME ZONE 'UTC')::date, n.category, n.priority, n.status,
                       count(*))::ticket_counts_by_day
            FROM new_rows AS n
            GROUP BY (n.created_at AT TIME ZONE 'UTC')::date, n.category, n.priority, n.status
            ORDER BY 1);
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
            HAVING sum(c.change) <> 0
            ORDER BY 1);
    ELSE
        deltas := ARRAY(
            SELECT ROW((o.created_at AT TIME ZONE 'UTC')::date, o.category, o.priority, o.status,
                       -count(*))::ticket_counts_by_day
            FROM old_rows AS o
            GROUP BY (o.created_at AT TIME ZONE 'UTC')::date, o.category, o.priority, o.status
            ORDER BY 1);
    END IF;

    FOREACH delta IN ARRAY deltas LOOP
        INSERT INTO ticket_counts_by_day AS c (day, category, priority, status, tickets)
        VALUES (delta.day, delta.category, delta.priority, delta.status, delta.tickets)
        ON CONFLICT (day, category, priority, status)
            DO UPDATE SET tickets = c.tickets + excluded.tickets
        RETURNING c.tickets INTO counted;
        -- Decided under the row's lock, from the count after this delta: did it leave or
        -- reach zero?
        IF counted = delta.tickets AND delta.tickets > 0 THEN
            changed_days := changed_days || delta.day;
            day_changes := day_changes || 1;
        ELSIF counted = 0 THEN
            changed_days := changed_days || delta.day;
            day_changes := day_changes || -1;
        END IF;
    END LOOP;

    IF cardinality(changed_days) > 0 THEN
        INSERT INTO ticket_days AS d (day, live_groups)
        SELECT c.day, sum(c.change)
        FROM unnest(changed_days, day_changes) AS c(day, change)
        GROUP BY c.day
        HAVING sum(c.change) <> 0
        ORDER BY c.day
        ON CONFLICT (day) DO UPDATE SET live_groups = d.live_groups + excluded.live_groups;
    END IF;

    FOR label IN
        SELECT d.category, d.priority, d.status, sum(d.tickets) AS tickets
        FROM unnest(deltas) AS d
        GROUP BY d.category, d.priority, d.status
        HAVING sum(d.tickets) <> 0
        ORDER BY d.category, d.priority, d.status
    LOOP
        INSERT INTO ticket_counts AS t (category, priority, status, tickets)
        VALUES (label.category, label.priority, label.status, label.tickets)
        ON CONFLICT (category, priority, status)
            DO UPDATE SET tickets = t.tickets + excluded.tickets;
    END LOOP;
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
