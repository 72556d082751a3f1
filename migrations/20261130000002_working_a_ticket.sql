-- Working a ticket: replies and internal notes, assignment, an append-only history, and SLA
-- targets with the due times and queues they drive.

-- SLA targets per priority, in minutes of plain elapsed time (business hours are a later step).
-- A ticket's due times are its creation time plus its priority's targets, set when it is created
-- and again when its priority changes; changing the policy applies from then on, never to due
-- times already set.
CREATE TABLE sla_policies (
    priority               text        PRIMARY KEY,
    first_response_minutes integer     NOT NULL,
    resolution_minutes     integer     NOT NULL,
    updated_at             timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT sla_policies_priority_allowed
        CHECK (priority IN ('low', 'medium', 'high', 'critical')),
    -- Up to a year; the first response is due no later than the resolution.
    CONSTRAINT sla_policies_targets CHECK (
        first_response_minutes BETWEEN 1 AND 525600
        AND resolution_minutes BETWEEN first_response_minutes AND 525600)
);

INSERT INTO sla_policies (priority, first_response_minutes, resolution_minutes) VALUES
    ('critical', 60, 240),
    ('high', 240, 1440),
    ('medium', 1440, 4320),
    ('low', 4320, 10080);

ALTER TABLE tickets
    -- An agent or admin working the ticket (the API checks the role), or nobody.
    ADD COLUMN assignee_id           bigint REFERENCES users (id),
    ADD COLUMN first_response_due_at timestamptz,
    ADD COLUMN resolution_due_at     timestamptz,
    -- The first public reply of an agent or admin.
    ADD COLUMN first_responded_at    timestamptz,
    -- When the ticket last became resolved or closed; null while it is being worked.
    ADD COLUMN resolved_at           timestamptz;

-- Due times and resolution times follow the ticket whoever writes it (the API, the seeder, a
-- person with psql): due times from the policy on insert (unless given) and on a priority
-- change; resolved_at when the ticket becomes resolved or closed, cleared when it is reopened.
CREATE FUNCTION tickets_sla_times() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    policy sla_policies;
BEGIN
    IF TG_OP = 'INSERT' OR NEW.priority IS DISTINCT FROM OLD.priority THEN
        -- Every accepted priority has a policy; one the CHECK refuses has none, and gets
        -- zero-minute targets so that the CHECK, not a NOT NULL, is what reports it.
        SELECT * INTO policy FROM sla_policies WHERE priority = NEW.priority;
        IF TG_OP = 'UPDATE' OR NEW.first_response_due_at IS NULL THEN
            NEW.first_response_due_at := NEW.created_at
                + make_interval(mins => COALESCE(policy.first_response_minutes, 0));
        END IF;
        IF TG_OP = 'UPDATE' OR NEW.resolution_due_at IS NULL THEN
            NEW.resolution_due_at := NEW.created_at
                + make_interval(mins => COALESCE(policy.resolution_minutes, 0));
        END IF;
    END IF;
    IF NEW.status IN ('open', 'in_progress') THEN
        NEW.resolved_at := NULL;
    ELSIF TG_OP = 'INSERT' THEN
        NEW.resolved_at := COALESCE(NEW.resolved_at, NEW.updated_at);
    ELSIF OLD.status IN ('open', 'in_progress') THEN
        NEW.resolved_at := now();
    END IF;
    RETURN NEW;
END;
$$;

-- Tickets from before: due from their creation under the default policy, and resolved when they
-- last changed. Neither their version nor the statistics change (no label does).
ALTER TABLE tickets DISABLE TRIGGER tickets_touch_updated_at;
ALTER TABLE tickets DISABLE TRIGGER tickets_rollup_update;
UPDATE tickets AS t
SET first_response_due_at = t.created_at + make_interval(mins => p.first_response_minutes),
    resolution_due_at = t.created_at + make_interval(mins => p.resolution_minutes),
    resolved_at = CASE WHEN t.status IN ('resolved', 'closed') THEN t.updated_at END
FROM sla_policies AS p
WHERE p.priority = t.priority;
ALTER TABLE tickets ENABLE TRIGGER tickets_touch_updated_at;
ALTER TABLE tickets ENABLE TRIGGER tickets_rollup_update;

ALTER TABLE tickets
    ALTER COLUMN first_response_due_at SET NOT NULL,
    ALTER COLUMN resolution_due_at SET NOT NULL;

CREATE TRIGGER tickets_sla_times_insert
    BEFORE INSERT ON tickets
    FOR EACH ROW
    EXECUTE FUNCTION tickets_sla_times();

CREATE TRIGGER tickets_sla_times_update
    BEFORE UPDATE OF priority, status ON tickets
    FOR EACH ROW
    EXECUTE FUNCTION tickets_sla_times();

-- The running target: the first response until an agent replies publicly, then the resolution;
-- none once the ticket is resolved or closed. `sla_due_at` is when it is breached,
-- `sla_warn_at` when it is due soon (the last 25% of its time). Generated, so the queues and
-- the SLA state of the API read one indexed pair of columns. (The double time-zone conversion
-- does the interval arithmetic on UTC wall-clock time, which PostgreSQL accepts as immutable.)
ALTER TABLE tickets
    ADD COLUMN sla_due_at timestamptz GENERATED ALWAYS AS (
        CASE
            WHEN status IN ('resolved', 'closed') THEN NULL
            WHEN first_responded_at IS NULL THEN first_response_due_at
            ELSE resolution_due_at
        END) STORED,
    ADD COLUMN sla_warn_at timestamptz GENERATED ALWAYS AS (
        CASE
            WHEN status IN ('resolved', 'closed') THEN NULL
            WHEN first_responded_at IS NULL THEN timezone('UTC',
                timezone('UTC', first_response_due_at) - (first_response_due_at - created_at) / 4)
            ELSE timezone('UTC',
                timezone('UTC', resolution_due_at) - (resolution_due_at - created_at) / 4)
        END) STORED;

-- A BEFORE trigger sees generated columns as NULL in NEW (and may not name NEW's whole row in
-- its WHEN), so "the row changed" is decided in the function, leaving them out: otherwise every
-- UPDATE, even one that sets what is already there, would bump the version.
CREATE OR REPLACE FUNCTION tickets_touch_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF to_jsonb(OLD) - '{sla_due_at,sla_warn_at}'::text[]
       IS DISTINCT FROM to_jsonb(NEW) - '{sla_due_at,sla_warn_at}'::text[] THEN
        NEW.updated_at := now();
        NEW.version := OLD.version + 1;
    END IF;
    RETURN NEW;
END;
$$;

-- Queues. "Assigned to X" and "unassigned" in list order; the SLA queues in due order (most
-- overdue or soonest first), over the tickets with a running target only.
CREATE INDEX tickets_assignee_newest_idx ON tickets (assignee_id, created_at DESC, id DESC)
    WHERE assignee_id IS NOT NULL;
CREATE INDEX tickets_unassigned_newest_idx ON tickets (created_at DESC, id DESC)
    WHERE assignee_id IS NULL;
CREATE INDEX tickets_sla_due_idx ON tickets (sla_due_at, id) INCLUDE (sla_warn_at)
    WHERE sla_due_at IS NOT NULL;
-- The medians of the statistics' last 30 days: index-only ranges (computed at most once a
-- minute, see ticket_time_medians).
CREATE INDEX tickets_first_responded_idx ON tickets (first_responded_at) INCLUDE (created_at)
    WHERE first_responded_at IS NOT NULL;
CREATE INDEX tickets_resolved_idx ON tickets (resolved_at) INCLUDE (created_at)
    WHERE resolved_at IS NOT NULL;
-- The due-soon marks of today (see ticket_sla_days).
CREATE INDEX tickets_sla_warn_idx ON tickets (sla_warn_at) WHERE sla_warn_at IS NOT NULL;

-- The work counters, kept like the statistics rollup (statement triggers with transition
-- tables; four shards by ticket id so concurrent writers rarely meet on a row; rows locked in
-- key order, after the rollup's, so writers queue instead of deadlocking): the tickets being
-- worked per assignee, and the running SLA targets per UTC day of their due and due-soon
-- times. The queues and the statistics read a few hundred counter rows where counting the
-- index entries took 5-10 ms each at a million tickets (bench/README.md). How many targets
-- have passed a time is the counted days before its day plus an exact count of that day's part
-- through the index.
CREATE TABLE ticket_load (
    -- 0: nobody.
    assignee_id bigint   NOT NULL,
    shard       smallint NOT NULL,
    tickets     bigint   NOT NULL,
    PRIMARY KEY (assignee_id, shard)
) WITH (fillfactor = 50);

CREATE TABLE ticket_sla_days (
    -- 'due': the day of `sla_due_at` (breached from then); 'warn': of `sla_warn_at`.
    mark    text     NOT NULL,
    day     date     NOT NULL,
    shard   smallint NOT NULL,
    tickets bigint   NOT NULL,
    PRIMARY KEY (mark, day, shard),
    CONSTRAINT ticket_sla_days_mark_allowed CHECK (mark IN ('due', 'warn'))
) WITH (fillfactor = 70);

ALTER TABLE ticket_load SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000);
ALTER TABLE ticket_sla_days SET (autovacuum_vacuum_scale_factor = 0.05, autovacuum_vacuum_threshold = 1000);

-- What of a ticket the work counters count, with +1 as it is now or -1 as it was.
CREATE TYPE ticket_work_row AS (
    id          bigint,
    status      text,
    assignee_id bigint,
    sla_due_at  timestamptz,
    sla_warn_at timestamptz,
    change      integer
);

CREATE FUNCTION tickets_work_rollup() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    work_rows ticket_work_row[];
    counted record;
BEGIN
    -- Each branch names only the transition tables its event has.
    IF TG_OP = 'INSERT' THEN
        work_rows := ARRAY(
            SELECT ROW(n.id, n.status, n.assignee_id, n.sla_due_at, n.sla_warn_at, 1)::ticket_work_row
            FROM new_rows AS n);
    ELSIF TG_OP = 'UPDATE' THEN
        work_rows := ARRAY(
            SELECT ROW(n.id, n.status, n.assignee_id, n.sla_due_at, n.sla_warn_at, 1)::ticket_work_row
            FROM new_rows AS n
            UNION ALL
            SELECT ROW(o.id, o.status, o.assignee_id, o.sla_due_at, o.sla_warn_at, -1)::ticket_work_row
            FROM old_rows AS o);
    ELSE
        work_rows := ARRAY(
            SELECT ROW(o.id, o.status, o.assignee_id, o.sla_due_at, o.sla_warn_at, -1)::ticket_work_row
            FROM old_rows AS o);
    END IF;

    FOR counted IN
        SELECT COALESCE(w.assignee_id, 0) AS assignee_id, ticket_count_shard(w.id) AS shard,
               sum(w.change) AS tickets
        FROM unnest(work_rows) AS w
        WHERE w.status IN ('open', 'in_progress')
        GROUP BY 1, 2
        HAVING sum(w.change) <> 0
        ORDER BY 1, 2
    LOOP
        INSERT INTO ticket_load AS l (assignee_id, shard, tickets)
        VALUES (counted.assignee_id, counted.shard, counted.tickets)
        ON CONFLICT (assignee_id, shard) DO UPDATE SET tickets = l.tickets + excluded.tickets;
    END LOOP;

    FOR counted IN
        SELECT m.mark, m.day, ticket_count_shard(w.id) AS shard, sum(w.change) AS tickets
        FROM unnest(work_rows) AS w
        CROSS JOIN LATERAL (VALUES ('due', ticket_count_day(w.sla_due_at)),
                                   ('warn', ticket_count_day(w.sla_warn_at))) AS m(mark, day)
        WHERE m.day IS NOT NULL
        GROUP BY 1, 2, 3
        HAVING sum(w.change) <> 0
        ORDER BY 1, 2, 3
    LOOP
        INSERT INTO ticket_sla_days AS d (mark, day, shard, tickets)
        VALUES (counted.mark, counted.day, counted.shard, counted.tickets)
        ON CONFLICT (mark, day, shard) DO UPDATE SET tickets = d.tickets + excluded.tickets;
    END LOOP;
    RETURN NULL;
END;
$$;

CREATE TRIGGER tickets_work_insert
    AFTER INSERT ON tickets
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT
    EXECUTE FUNCTION tickets_work_rollup();

CREATE TRIGGER tickets_work_update
    AFTER UPDATE ON tickets
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT
    EXECUTE FUNCTION tickets_work_rollup();

CREATE TRIGGER tickets_work_delete
    AFTER DELETE ON tickets
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT
    EXECUTE FUNCTION tickets_work_rollup();

-- TRUNCATE and the repair function cover the new counters too.
CREATE OR REPLACE FUNCTION tickets_rollup_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM ticket_counts_by_day;
    DELETE FROM ticket_counts;
    DELETE FROM ticket_days;
    DELETE FROM ticket_load;
    DELETE FROM ticket_sla_days;
    RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION ticket_rollup_rebuild() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    LOCK TABLE tickets IN SHARE MODE;
    DELETE FROM ticket_counts_by_day;
    DELETE FROM ticket_counts;
    DELETE FROM ticket_days;
    DELETE FROM ticket_load;
    DELETE FROM ticket_sla_days;
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
    INSERT INTO ticket_load (assignee_id, shard, tickets)
    SELECT COALESCE(assignee_id, 0), ticket_count_shard(id), count(*)
    FROM tickets
    WHERE status IN ('open', 'in_progress')
    GROUP BY 1, 2;
    INSERT INTO ticket_sla_days (mark, day, shard, tickets)
    SELECT m.mark, m.day, ticket_count_shard(t.id), count(*)
    FROM tickets AS t
    CROSS JOIN LATERAL (VALUES ('due', ticket_count_day(t.sla_due_at)),
                               ('warn', ticket_count_day(t.sla_warn_at))) AS m(mark, day)
    WHERE m.day IS NOT NULL
    GROUP BY 1, 2, 3;
END;
$$;

SELECT ticket_rollup_rebuild();

-- The statistics' 30-day medians: sorting the last 30 days' response and resolution times
-- (80,000 values each at a million tickets a year) takes 45 ms, and a 30-day median moves
-- slowly, so they are computed at most once a minute and kept here, for every process and
-- Lambda instance alike.
CREATE TABLE ticket_time_medians (
    singleton              boolean PRIMARY KEY DEFAULT true,
    computed_at            timestamptz NOT NULL,
    first_response_minutes double precision,
    resolution_minutes     double precision,
    CONSTRAINT ticket_time_medians_one_row CHECK (singleton)
);

-- The conversation: replies the requester sees, and internal notes only agents and admins see.
CREATE TABLE comments (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id  bigint      NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    author_id  bigint      NOT NULL REFERENCES users (id),
    -- Whether the author wrote as an agent or admin (support's side of the thread), as they
    -- were then: a later change of role does not move old comments to the other side.
    author_is_staff boolean NOT NULL,
    body       text        NOT NULL,
    visibility text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),

    CONSTRAINT comments_body_not_blank CHECK (body ~ '[^[:space:]]'),
    CONSTRAINT comments_body_length CHECK (char_length(body) <= 10000),
    CONSTRAINT comments_visibility_allowed CHECK (visibility IN ('public', 'internal'))
);

-- A thread in order. Comments of a ticket are written under its row lock, so their ids grow in
-- the order they commit: paging by id never skips one committed late.
CREATE INDEX comments_thread_idx ON comments (ticket_id, id);

-- History: who changed what, when. Written in the same transaction as the change it records.
CREATE TABLE ticket_events (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id  bigint      NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    kind       text        NOT NULL,
    -- A person (actor_id; null for a submission without an account), or the product itself.
    actor_kind text        NOT NULL,
    actor_id   bigint      REFERENCES users (id),
    -- The value before and after, as the API spells it (account ids for assignments).
    from_value text,
    to_value   text,
    comment_id bigint      REFERENCES comments (id) ON DELETE CASCADE,
    -- Whether the requester sees it.
    visibility text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),

    CONSTRAINT ticket_events_kind_allowed CHECK (kind IN (
        'created', 'status_changed', 'category_changed', 'priority_changed', 'assignee_changed',
        'comment_added', 'sla_breached', 'first_response_due_changed', 'resolution_due_changed')),
    CONSTRAINT ticket_events_actor_kind_allowed
        CHECK (actor_kind IN ('user', 'system', 'classifier')),
    CONSTRAINT ticket_events_actor CHECK (actor_kind = 'user' OR actor_id IS NULL),
    CONSTRAINT ticket_events_visibility_allowed CHECK (visibility IN ('public', 'internal'))
);

CREATE INDEX ticket_events_timeline_idx ON ticket_events (ticket_id, created_at, id);
-- A breach is recorded once per target and due time, however many readers notice it.
CREATE UNIQUE INDEX ticket_events_breach_key ON ticket_events (ticket_id, to_value, created_at)
    WHERE kind = 'sla_breached';

-- Append-only: rows leave only with their ticket.
CREATE FUNCTION ticket_events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND pg_trigger_depth() > 1 THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'ticket_events is append-only'
        USING ERRCODE = 'restrict_violation';
END;
$$;

CREATE TRIGGER ticket_events_append_only
    BEFORE UPDATE OR DELETE ON ticket_events
    FOR EACH ROW
    EXECUTE FUNCTION ticket_events_append_only();
