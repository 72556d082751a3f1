-- Dashboard statistics without scanning `tickets`, and indexes for the list shapes the first
-- migration left to filtering.
--
-- The statistics read counters that every write to `tickets` maintains in its own transaction,
-- so any snapshot sees tickets and counters agree: exactly a full recount, under concurrency,
-- whoever writes (the API, psql, COPY, MERGE). The triggers are statement-level with transition
-- tables: a bulk load updates the counters with one aggregated statement, not one per row.
-- Design and write cost: bench/README.md.

-- Where a ticket counts: its UTC creation day, its labels, and its shard. Every counter is
-- spread over four rows (`shard`, the ticket's id modulo 4), so concurrent creates with the same
-- labels on the same day land on different rows instead of queueing on one row lock until they
-- commit (measurements in bench/README.md). The shard depends on the ticket alone, never on the
-- writer: an update or delete subtracts from the very row that counted the ticket, so no counter
-- goes below zero.
CREATE FUNCTION ticket_count_day(created_at timestamptz) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT (created_at AT TIME ZONE 'UTC')::date $$;

CREATE FUNCTION ticket_count_shard(id bigint) RETURNS smallint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT (id % 4)::smallint $$;

-- Tickets per UTC creation day, label and shard. The grain a full recount groups by.
CREATE TABLE ticket_counts_by_day (
    day      date     NOT NULL,
    category text     NOT NULL,
    priority text     NOT NULL,
    status   text     NOT NULL,
    shard    smallint NOT NULL,
    tickets  bigint   NOT NULL,
    PRIMARY KEY (day, category, priority, status, shard)
) WITH (fillfactor = 70);

-- All-time tickets per label and shard (at most 64 × 4 rows): what the dashboard sums.
CREATE TABLE ticket_counts (
    category text     NOT NULL,
    priority text     NOT NULL,
    status   text     NOT NULL,
    shard    smallint NOT NULL,
    tickets  bigint   NOT NULL,
    PRIMARY KEY (category, priority, status, shard)
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

-- A signed change to one counter row of ticket_counts_by_day.
CREATE TYPE ticket_count_delta AS (
    day      date,
    category text,
    priority text,
    status   text,
    shard    smallint,
    tickets  bigint
);

-- One function for the three statement triggers below; each names its transition tables so
-- only the branch of the firing event reads them (PostgreSQL gives an INSERT trigger no old
-- rows and a DELETE trigger no new ones). The statement's rows count +1 as they are now and
-- -1 as they were; deltas that net to zero (a title edit, a no-op PATCH) write nothing.
--
-- Rows are locked in one order for every writer, so concurrent writers wait for each other
-- instead of deadlocking: ticket_counts_by_day in key order (the deltas are sorted by it), then
-- ticket_days in day order, then ticket_counts in key order. Counter rows that reach zero stay
-- (a later ticket reuses them). Simple statements in a loop, rather than one statement with
-- data-modifying CTEs, because an API write has one delta and the simple form costs it a
-- fraction of the time.
CREATE FUNCTION tickets_rollup() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    deltas ticket_count_delta[];
    delta ticket_count_delta;
    counted bigint;
    changed_days date[] := '{}';
    day_changes integer[] := '{}';
    label record;
BEGIN
    IF TG_OP = 'INSERT' THEN
        deltas := ARRAY(
            SELECT ROW(c.day, c.category, c.priority, c.status, c.shard, count(*))::ticket_count_delta
            FROM (SELECT ticket_count_day(n.created_at) AS day, n.category, n.priority,
                         n.status, ticket_count_shard(n.id) AS shard
                  FROM new_rows AS n) AS c
            GROUP BY c.day, c.category, c.priority, c.status, c.shard
            ORDER BY c.day, c.category, c.priority, c.status, c.shard);
    ELSIF TG_OP = 'UPDATE' THEN
        deltas := ARRAY(
            SELECT ROW(c.day, c.category, c.priority, c.status, c.shard, sum(c.change))::ticket_count_delta
            FROM (SELECT ticket_count_day(n.created_at) AS day, n.category, n.priority,
                         n.status, ticket_count_shard(n.id) AS shard, 1 AS change
                  FROM new_rows AS n
                  UNION ALL
                  SELECT ticket_count_day(o.created_at), o.category, o.priority, o.status,
                         ticket_count_shard(o.id), -1
                  FROM old_rows AS o) AS c
            GROUP BY c.day, c.category, c.priority, c.status, c.shard
            HAVING sum(c.change) <> 0
            ORDER BY c.day, c.category, c.priority, c.status, c.shard);
    ELSE
        deltas := ARRAY(
            SELECT ROW(c.day, c.category, c.priority, c.status, c.shard, -count(*))::ticket_count_delta
            FROM (SELECT ticket_count_day(o.created_at) AS day, o.category, o.priority,
                         o.status, ticket_count_shard(o.id) AS shard
                  FROM old_rows AS o) AS c
            GROUP BY c.day, c.category, c.priority, c.status, c.shard
            ORDER BY c.day, c.category, c.priority, c.status, c.shard);
    END IF;

    FOREACH delta IN ARRAY deltas LOOP
        INSERT INTO ticket_counts_by_day AS c (day, category, priority, status, shard, tickets)
        VALUES (delta.day, delta.category, delta.priority, delta.status, delta.shard,
                delta.tickets)
        ON CONFLICT (day, category, priority, status, shard)
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
        SELECT d.category, d.priority, d.status, d.shard, sum(d.tickets) AS tickets
        FROM unnest(deltas) AS d
        GROUP BY d.category, d.priority, d.status, d.shard
        HAVING sum(d.tickets) <> 0
        ORDER BY d.category, d.priority, d.status, d.shard
    LOOP
        INSERT INTO ticket_counts AS t (category, priority, status, shard, tickets)
        VALUES (label.category, label.priority, label.status, label.shard, label.tickets)
        ON CONFLICT (category, priority, status, shard)
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
    INSERT INTO ticket_counts_by_day (day, category, priority, status, shard, tickets)
    SELECT ticket_count_day(created_at), category, priority, status, ticket_count_shard(id),
           count(*)
    FROM tickets
    GROUP BY 1, 2, 3, 4, 5;
    INSERT INTO ticket_counts (category, priority, status, shard, tickets)
    SELECT category, priority, status, shard, sum(tickets)
    FROM ticket_counts_by_day
    GROUP BY 1, 2, 3, 4;
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
