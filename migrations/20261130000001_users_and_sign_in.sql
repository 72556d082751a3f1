-- Identity: who is signed in, what they may do, and who asked for each ticket.

-- People who sign in (or, without a password, who tickets were filed for). A row comes from the
-- built-in accounts (a password hash), from an OpenID Connect provider (its issuer and subject),
-- or from an agent filing a ticket on behalf of someone by email (neither, until they sign up).
CREATE TABLE users (
    id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email         text        NOT NULL,
    name          text        NOT NULL,
    role          text        NOT NULL DEFAULT 'requester',
    disabled      boolean     NOT NULL DEFAULT false,
    -- Argon2id in PHC format (parameters and salt included); null: no password sign-in.
    password_hash text,
    -- The subject of an external OpenID Connect provider, unique per issuer.
    oidc_issuer   text,
    oidc_subject  text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT users_role_allowed CHECK (role IN ('requester', 'agent', 'admin')),
    CONSTRAINT users_email_shape CHECK (email ~ '^[^@[:space:]]+@[^@[:space:]]+$' AND char_length(email) <= 254),
    CONSTRAINT users_name_not_blank CHECK (name ~ '[^[:space:]]' AND char_length(name) <= 100),
    CONSTRAINT users_oidc_identity CHECK ((oidc_issuer IS NULL) = (oidc_subject IS NULL))
);

-- One account per address, whatever its case.
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE UNIQUE INDEX users_oidc_identity_key ON users (oidc_issuer, oidc_subject)
    WHERE oidc_issuer IS NOT NULL;

CREATE FUNCTION users_touch_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

CREATE TRIGGER users_touch_updated_at
    BEFORE UPDATE ON users
    FOR EACH ROW
    WHEN (OLD IS DISTINCT FROM NEW)
    EXECUTE FUNCTION users_touch_updated_at();

-- Refresh tokens of built-in sign-in: only their SHA-256 is stored. Each refresh spends the
-- token and issues the next one of its family; presenting a spent token again means it was
-- stolen (or the client raced itself), and the whole family is revoked.
CREATE TABLE refresh_tokens (
    token_hash bytea       PRIMARY KEY,
    family     uuid        NOT NULL,
    user_id    bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    spent_at   timestamptz,
    revoked_at timestamptz
);

CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family);
CREATE INDEX refresh_tokens_expires_at_idx ON refresh_tokens (expires_at);

-- The built-in issuer's RSA signing keys (PKCS#8, PEM). The newest unretired key signs; a
-- retired key stays in the published key set until the tokens it signed have expired.
CREATE TABLE signing_keys (
    kid             text        PRIMARY KEY,
    private_key_pem text        NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    retired_at      timestamptz
);

-- Who asked. Tickets filed before sign-in existed have no requester and stay visible to
-- agents. A public submission (PUBLIC_SUBMISSION=true) carries the address and name given.
ALTER TABLE tickets
    ADD COLUMN requester_id    bigint REFERENCES users (id),
    ADD COLUMN requester_email text,
    ADD COLUMN requester_name  text;

-- "My tickets" in list order: an index range at any number of tickets.
CREATE INDEX tickets_requester_newest_idx ON tickets (requester_id, created_at DESC, id DESC)
    WHERE requester_id IS NOT NULL;

-- An idempotency key belongs to whoever used it (`user:<id>`, or `public` for submissions
-- without an account): the same key from someone else is another request, never a replay of
-- another person's ticket.
ALTER TABLE idempotency_keys ADD COLUMN owner text NOT NULL DEFAULT 'public';
ALTER TABLE idempotency_keys ALTER COLUMN owner DROP DEFAULT;
ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_pkey, ADD PRIMARY KEY (owner, key);
