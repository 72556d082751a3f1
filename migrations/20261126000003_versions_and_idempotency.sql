-- Optimistic concurrency: every real change to a ticket bumps its version, which the API sends
-- as the ETag and checks against If-Match, so two agents cannot silently overwrite each other.
ALTER TABLE tickets ADD COLUMN version bigint NOT NULL DEFAULT 1;

CREATE OR REPLACE FUNCTION tickets_touch_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    NEW.version := OLD.version + 1;
    RETURN NEW;
END;
$$;

-- Idempotent creates: the answer to the first request carrying an Idempotency-Key (always a
-- 201: body, Location, ETag) is kept for 24 hours and replayed to retries of the same request. The row is written in the same
-- transaction as the ticket, so a key never exists without its ticket or the reverse.
CREATE TABLE idempotency_keys (
    key             text        PRIMARY KEY,
    -- The request as parsed, to tell a retry from a different request reusing the key.
    request_body    text        NOT NULL,
    response_body   text        NOT NULL,
    location        text        NOT NULL,
    etag            text        NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT idempotency_keys_key_length CHECK (char_length(key) BETWEEN 1 AND 255)
);

CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at);
