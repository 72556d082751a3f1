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
-- Counts of the tickets being worked, per assignee: index-only, over active tickets only.
CREATE INDEX tickets_active_assignee_idx ON tickets (assignee_id)
    WHERE status IN ('open', 'in_progress');
-- Median response and resolution times of the last 30 days: index-only ranges.
CREATE INDEX tickets_first_responded_idx ON tickets (first_responded_at) INCLUDE (created_at)
    WHERE first_responded_at IS NOT NULL;
CREATE INDEX tickets_resolved_idx ON tickets (resolved_at) INCLUDE (created_at)
    WHERE resolved_at IS NOT NULL;

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
