-- Tickets: the one table of the product. Rules live here as constraints so that no writer,
-- the API or a person with psql, can store a ticket the API would refuse.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE tickets (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title       varchar(200) NOT NULL,
    description text        NOT NULL,
    category    text        NOT NULL,
    priority    text        NOT NULL,
    status      text        NOT NULL DEFAULT 'open',
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT tickets_title_not_blank CHECK (title ~ '[^[:space:]]'),
    CONSTRAINT tickets_description_not_blank CHECK (description ~ '[^[:space:]]'),
    CONSTRAINT tickets_description_length CHECK (char_length(description) <= 10000),
    CONSTRAINT tickets_category_allowed
        CHECK (category IN ('billing', 'technical', 'account', 'general')),
    CONSTRAINT tickets_priority_allowed
        CHECK (priority IN ('low', 'medium', 'high', 'critical')),
    CONSTRAINT tickets_status_allowed
        CHECK (status IN ('open', 'in_progress', 'resolved', 'closed'))
);

-- updated_at moves only when a row really changes, so a no-op write keeps it.
CREATE FUNCTION tickets_touch_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

CREATE TRIGGER tickets_touch_updated_at
    BEFORE UPDATE ON tickets
    FOR EACH ROW
    WHEN (OLD IS DISTINCT FROM NEW)
    EXECUTE FUNCTION tickets_touch_updated_at();

-- The list order (newest first) and keyset pagination over it.
CREATE INDEX tickets_newest_idx ON tickets (created_at DESC, id DESC);
-- Each filter, in list order, so a filtered page is an index range read.
CREATE INDEX tickets_category_newest_idx ON tickets (category, created_at DESC, id DESC);
CREATE INDEX tickets_priority_newest_idx ON tickets (priority, created_at DESC, id DESC);
CREATE INDEX tickets_status_newest_idx ON tickets (status, created_at DESC, id DESC);
-- Case-insensitive substring search (ILIKE '%…%') over title and description.
CREATE INDEX tickets_title_trgm_idx ON tickets USING gin (title gin_trgm_ops);
CREATE INDEX tickets_description_trgm_idx ON tickets USING gin (description gin_trgm_ops);
