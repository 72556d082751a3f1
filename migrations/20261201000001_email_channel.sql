-- The email channel: notifications queued with the change that causes them, mail turned into
-- tickets and replies, and the settings an admin keeps.

-- One row: the address people write to (null: no mail is queued), and the name mails come from.
-- The deployment's configuration (MAIL_SUPPORT_ADDRESS) fills them until an admin saves them.
CREATE TABLE mail_settings (
    singleton       boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
    support_address text,
    sender_name     text        NOT NULL DEFAULT 'Helpdesk',
    set_by_admin    boolean     NOT NULL DEFAULT false,
    updated_at      timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT mail_settings_address_shape
        CHECK (support_address ~ '^[^@[:space:]+]+@[^@[:space:]]+$' AND char_length(support_address) <= 254),
    CONSTRAINT mail_settings_sender_name
        CHECK (sender_name ~ '[^[:space:]]' AND sender_name !~ '[[:cntrl:]]' AND char_length(sender_name) <= 100)
);
INSERT INTO mail_settings DEFAULT VALUES;

-- Agents' and admins' opt-in to a mail for every new ticket, and the token of the unsubscribe
-- link those mails carry (made with the first one).
ALTER TABLE users
    ADD COLUMN notify_new_tickets boolean NOT NULL DEFAULT false,
    ADD COLUMN unsubscribe_token  text UNIQUE;

-- A ticket's mail thread, made with its first mail: the token of its reply address
-- (support+TOKEN@domain, 128 random bits) and, for a ticket opened by mail, that mail's
-- Message-ID, which every later mail references so the requester's client threads them.
CREATE TABLE ticket_mail_threads (
    ticket_id         bigint PRIMARY KEY REFERENCES tickets (id) ON DELETE CASCADE,
    reply_token       text   NOT NULL UNIQUE,
    origin_message_id text,
    -- Attachments of that mail, which were not kept (its acknowledgement says so).
    attachments_dropped integer NOT NULL DEFAULT 0,

    CONSTRAINT ticket_mail_threads_token_shape CHECK (reply_token ~ '^[0-9a-f]{32}$')
);

-- Where a comment came from; a mail's Message-ID makes a redelivered mail one comment.
ALTER TABLE comments
    ADD COLUMN via        text NOT NULL DEFAULT 'web',
    ADD COLUMN message_id text,
    ADD CONSTRAINT comments_via_allowed CHECK (via IN ('web', 'email'));
CREATE UNIQUE INDEX comments_message_id_key ON comments (ticket_id, message_id)
    WHERE message_id IS NOT NULL;

-- Mails to send, one per history event and recipient: written by the trigger below in the
-- transaction of the change, sent by the outbox worker, which leases a row while it sends.
CREATE TABLE mail_outbox (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id        bigint      NOT NULL REFERENCES ticket_events (id) ON DELETE CASCADE,
    ticket_id       bigint      NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    template        text        NOT NULL,
    recipient_id    bigint      REFERENCES users (id) ON DELETE CASCADE,
    to_address      text        NOT NULL,
    -- Fixed when queued, so a retried or duplicated delivery is recognisably the same mail.
    message_id      text        NOT NULL UNIQUE,
    status          text        NOT NULL DEFAULT 'queued',
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    lease_until     timestamptz,
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,

    CONSTRAINT mail_outbox_template_allowed CHECK (template IN (
        'ticket_received', 'agent_replied', 'ticket_resolved', 'ticket_assigned', 'new_ticket')),
    CONSTRAINT mail_outbox_status_allowed CHECK (status IN ('queued', 'sending', 'sent', 'failed')),
    -- Never two mails to one address for one event.
    CONSTRAINT mail_outbox_once UNIQUE (event_id, to_address)
);

-- What the worker picks up: due rows, and rows whose sender's lease ran out.
CREATE INDEX mail_outbox_due_idx ON mail_outbox (next_attempt_at) WHERE status IN ('queued', 'sending');
CREATE INDEX mail_outbox_status_idx ON mail_outbox (status, id DESC);
-- The receipts an address got lately (the trigger's loop guard).
CREATE INDEX mail_outbox_receipts_idx ON mail_outbox (lower(to_address), created_at)
    WHERE template = 'ticket_received';

-- Every message that arrived, and what became of it. The body is kept only while a person
-- has to decide (held); the rest keep who, what and why.
CREATE TABLE mail_inbound (
    id             bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    message_id     text,
    from_address   text        NOT NULL,
    from_name      text,
    subject        text        NOT NULL,
    body           text,
    -- For a reply: the ticket it answers (held replies are added there when accepted).
    reply_to_ticket_id bigint  REFERENCES tickets (id) ON DELETE CASCADE,
    ticket_id      bigint      REFERENCES tickets (id) ON DELETE SET NULL,
    status         text        NOT NULL,
    reason         text,
    received_at    timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT mail_inbound_status_allowed CHECK (status IN (
        'accepted', 'held', 'ignored', 'rejected', 'released', 'discarded'))
);

-- A message redelivered (SMTP retries, SES at-least-once) is taken once.
CREATE UNIQUE INDEX mail_inbound_message_once ON mail_inbound (message_id)
    WHERE message_id IS NOT NULL AND status IN ('accepted', 'held', 'released');
CREATE INDEX mail_inbound_status_idx ON mail_inbound (status, id DESC);

-- Queues the notifications of a history event. The mail is rendered when it is sent, from the
-- ticket as it then is; what is queued here is who gets which mail about which event.
CREATE FUNCTION ticket_events_queue_mail() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    domain text;
    queued integer;
BEGIN
    -- Bulk loads (the seeder) write history without telling anyone.
    IF current_setting('helpdesk.quiet', true) = 'on' THEN
        RETURN NULL;
    END IF;
    SELECT split_part(support_address, '@', 2) INTO domain
    FROM mail_settings WHERE support_address IS NOT NULL;
    IF domain IS NULL THEN
        RETURN NULL;
    END IF;

    INSERT INTO mail_outbox (event_id, ticket_id, template, recipient_id, to_address, message_id)
    SELECT NEW.id, NEW.ticket_id, r.template, r.recipient_id, r.to_address,
           '<' || replace(gen_random_uuid()::text, '-', '') || '.' || NEW.ticket_id || '@' || domain || '>'
    FROM (
        -- The requester: their ticket received, an agent's public reply, the ticket resolved.
        SELECT CASE
                   WHEN NEW.kind = 'created' THEN 'ticket_received'
                   WHEN NEW.kind = 'comment_added' THEN 'agent_replied'
                   ELSE 'ticket_resolved'
               END AS template,
               t.requester_id AS recipient_id,
               COALESCE(u.email, t.requester_email) AS to_address
        FROM tickets AS t LEFT JOIN users AS u ON u.id = t.requester_id
        WHERE t.id = NEW.ticket_id
          AND COALESCE(u.email, t.requester_email) IS NOT NULL
          AND NOT COALESCE(u.disabled, false)
          -- Not about what they did themselves (an agent who filed for themselves and replies).
          AND (NEW.kind = 'created' OR t.requester_id IS DISTINCT FROM NEW.actor_id)
          -- At most 10 receipts an hour to one address: an auto-responder that answers each
          -- receipt without saying it is one cannot start an endless loop of tickets and mail.
          AND (NEW.kind <> 'created' OR (
                SELECT count(*) FROM mail_outbox AS sent
                WHERE lower(sent.to_address) = lower(COALESCE(u.email, t.requester_email))
                  AND sent.template = 'ticket_received'
                  AND sent.created_at > now() - interval '1 hour') < 10)
          AND (NEW.kind = 'created'
               OR (NEW.kind = 'comment_added' AND NEW.visibility = 'public'
                   AND EXISTS (SELECT 1 FROM comments AS c
                               WHERE c.id = NEW.comment_id AND c.author_is_staff))
               OR (NEW.kind = 'status_changed' AND NEW.to_value = 'resolved'))
        UNION ALL
        -- The new assignee, unless they took it themselves.
        SELECT 'ticket_assigned', u.id, u.email
        FROM users AS u
        WHERE NEW.kind = 'assignee_changed'
          AND u.id = NEW.to_value::bigint
          AND u.id IS DISTINCT FROM NEW.actor_id
          AND NOT u.disabled
        UNION ALL
        -- Staff who asked for every new ticket, but not about one they filed.
        SELECT 'new_ticket', u.id, u.email
        FROM users AS u
        WHERE NEW.kind = 'created'
          AND u.notify_new_tickets AND NOT u.disabled AND u.role IN ('agent', 'admin')
          AND u.id IS DISTINCT FROM NEW.actor_id
    ) AS r
    ON CONFLICT ON CONSTRAINT mail_outbox_once DO NOTHING;

    GET DIAGNOSTICS queued = ROW_COUNT;
    IF queued > 0 THEN
        -- Delivered on commit: wakes a waiting worker.
        PERFORM pg_notify('mail_outbox', '');
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER ticket_events_queue_mail
    AFTER INSERT ON ticket_events
    FOR EACH ROW
    WHEN (NEW.kind IN ('created', 'comment_added', 'status_changed', 'assignee_changed'))
    EXECUTE FUNCTION ticket_events_queue_mail();
