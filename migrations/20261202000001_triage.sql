-- Triage: what the classifier said of a new ticket (how sure, the tone, the language), the
-- "needs triage" queue, similar tickets and merged duplicates.

-- Who chose the labels: the language model, the rules, or a person (the requester filing it with
-- labels, or an agent setting them). Null for tickets from before this was recorded. The
-- confidences, sentiment and language are the classifier's, set when it labelled the ticket.
ALTER TABLE tickets
    ADD COLUMN classified_by       text,
    ADD COLUMN category_confidence text,
    ADD COLUMN priority_confidence text,
    ADD COLUMN sentiment           text,
    ADD COLUMN language            varchar(16),
    -- The classifier was unsure, or an unhappy customer's ticket was not judged low: an agent
    -- should look. Cleared when an agent sets the labels.
    ADD COLUMN needs_triage        boolean NOT NULL DEFAULT false,
    -- Closed as a duplicate of this ticket; cleared if it is reopened.
    ADD COLUMN duplicate_of        bigint REFERENCES tickets (id),
    ADD CONSTRAINT tickets_classified_by_allowed
        CHECK (classified_by IN ('llm', 'fallback', 'person')),
    ADD CONSTRAINT tickets_category_confidence_allowed
        CHECK (category_confidence IN ('high', 'medium', 'low')),
    ADD CONSTRAINT tickets_priority_confidence_allowed
        CHECK (priority_confidence IN ('high', 'medium', 'low')),
    ADD CONSTRAINT tickets_sentiment_allowed
        CHECK (sentiment IN ('negative', 'neutral', 'positive')),
    ADD CONSTRAINT tickets_confidence_pair
        CHECK ((category_confidence IS NULL) = (priority_confidence IS NULL)),
    ADD CONSTRAINT tickets_not_own_duplicate CHECK (duplicate_of <> id);

-- The "needs triage" queue, newest first, and its count: only the flagged tickets are indexed,
-- so both stay small reads however many tickets there are.
CREATE INDEX tickets_needs_triage_idx ON tickets (created_at DESC, id DESC)
    WHERE needs_triage AND status IN ('open', 'in_progress');

-- Similar titles among the tickets being worked (the ones a new request may duplicate and a
-- duplicate can be merged into): trigram distance, nearest first, straight from a GiST index
-- walk. Partial, so it stays small whatever the history; 256-byte signatures (pg_trgm's default
-- is 12) keep its pages discriminating at tens of thousands of titles. A requester's own
-- tickets, of any status, are compared through the requester index instead. Measured in
-- bench/README.md.
CREATE INDEX tickets_similar_title_idx ON tickets USING gist (title gist_trgm_ops (siglen = 256))
    WHERE status IN ('open', 'in_progress');

-- Who else follows a ticket besides its requester: the requester of a ticket merged into it.
-- A follower sees the ticket and its public conversation as its requester does.
CREATE TABLE ticket_followers (
    ticket_id  bigint      NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    user_id    bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (ticket_id, user_id)
);
CREATE INDEX ticket_followers_user_idx ON ticket_followers (user_id, ticket_id);

-- History of a merge: `marked_duplicate` on the duplicate (to_value: the ticket it duplicates),
-- `duplicate_merged` on the ticket it was merged into (to_value: the duplicate).
ALTER TABLE ticket_events DROP CONSTRAINT ticket_events_kind_allowed;
ALTER TABLE ticket_events ADD CONSTRAINT ticket_events_kind_allowed CHECK (kind IN (
    'created', 'status_changed', 'category_changed', 'priority_changed', 'assignee_changed',
    'comment_added', 'sla_breached', 'first_response_due_changed', 'resolution_due_changed',
    'marked_duplicate', 'duplicate_merged'));

-- Followers get the news of the ticket they follow by mail, as its requester does: the queuing
-- function of `20261201000001_email_channel.sql`, with one more group of recipients.
CREATE OR REPLACE FUNCTION ticket_events_queue_mail() RETURNS trigger
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
        -- Who follows the ticket (the requester of a duplicate merged into it): the same news
        -- as its requester after the receipt, an agent's public reply and the resolution.
        SELECT CASE WHEN NEW.kind = 'comment_added' THEN 'agent_replied' ELSE 'ticket_resolved' END,
               u.id, u.email
        FROM ticket_followers AS f JOIN users AS u ON u.id = f.user_id
        WHERE f.ticket_id = NEW.ticket_id
          AND NOT u.disabled
          AND u.id IS DISTINCT FROM NEW.actor_id
          AND ((NEW.kind = 'comment_added' AND NEW.visibility = 'public'
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
