-- The rest of a batch, from the `seed_batch` seed.sql filled: the tickets, their threads and
-- their history, as the API would have written them. Several statements, no parameters.

INSERT INTO tickets (id, title, description, category, priority, status, created_at, updated_at,
                     requester_id, requester_email, requester_name, assignee_id,
                     first_responded_at)
OVERRIDING SYSTEM VALUE
SELECT b.id, b.title, b.description, b.category, b.priority, b.status, b.created_at,
       b.updated_at, b.requester_id, u.email, u.name, b.assignee_id, b.first_responded_at
FROM seed_batch AS b
JOIN users AS u ON u.id = b.requester_id
ORDER BY b.id;

-- Reply k of n at k/(n+1) of the way from creation to the last change: odd ones the agent's
-- (every third of those an internal note, never the first), even ones the requester's.
INSERT INTO comments (ticket_id, author_id, author_is_staff, body, visibility, created_at)
SELECT b.id,
       CASE WHEN k % 2 = 1 THEN b.responder_id ELSE b.requester_id END,
       k % 2 = 1,
       CASE WHEN k % 2 = 1
            THEN (ARRAY['Thanks for reporting this. Could you tell us which browser and version you are using?',
                        E'I have reproduced the problem on our side and passed it to the engineering team.\nI will update you here as soon as I hear back.',
                        'A fix has been deployed. Could you check whether it works for you now?',
                        'I have applied the change to your account. You should see it within a few minutes.',
                        E'Thanks for your patience. Here is what we found:\n- the export job timed out\n- we raised the limit for your workspace',
                        'Could you send us a screenshot of the error message, with the time it happened?'])
                 [1 + floor(random() * 6)::int]
            ELSE (ARRAY['Thanks, it is Chrome on Windows, the latest version.',
                        'It still happens this morning, same error as before.',
                        'That worked, thank you very much!',
                        E'Here is what I see:\nerror E4012 after clicking Save.',
                        'Any news on this? The team is waiting for it.',
                        'Sorry for the late answer, I was away. Yes, it works now.'])
                 [1 + floor(random() * 6)::int]
       END,
       CASE WHEN k % 6 = 3 THEN 'internal' ELSE 'public' END,
       b.created_at + (b.updated_at - b.created_at) * k / (b.replies + 1)
FROM seed_batch AS b
CROSS JOIN LATERAL generate_series(1, b.replies) AS k
ORDER BY b.id, k;

INSERT INTO ticket_events (ticket_id, kind, actor_kind, actor_id, from_value, to_value,
                           comment_id, visibility, created_at)
SELECT * FROM (
    SELECT b.id, 'created', 'user', b.requester_id, NULL, NULL, NULL::int8, 'public',
           b.created_at
    FROM seed_batch AS b
    UNION ALL
    -- Picked up halfway to the first reply.
    SELECT b.id, 'assignee_changed', 'user', b.assignee_id, NULL, b.assignee_id::text, NULL,
           'public', b.created_at + (b.updated_at - b.created_at) / (2 * (b.replies + 1))
    FROM seed_batch AS b
    WHERE b.assignee_id IS NOT NULL
    UNION ALL
    SELECT b.id, 'status_changed', 'user', b.responder_id, 'open', b.status, NULL, 'public',
           b.updated_at
    FROM seed_batch AS b
    WHERE b.status <> 'open'
    UNION ALL
    SELECT c.ticket_id, 'comment_added', 'user', c.author_id, NULL, NULL, c.id, c.visibility,
           c.created_at
    FROM seed_batch AS b
    JOIN comments AS c ON c.ticket_id = b.id
) AS history
ORDER BY 1, 9;

DROP TABLE seed_batch;
