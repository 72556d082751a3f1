-- Conditional requests: a cheap version of everything the ticket lists and the statistics show,
-- the same for every server process and Lambda instance, so that `If-None-Match` can be answered
-- `304 Not Modified` without reading a row (shared/src/http/conditional.rs).
--
-- The version is the sum of these counters. Every transaction that writes what a list or the
-- statistics show adds 1 to one counter, in that transaction, so a snapshot sees the increment
-- exactly when it sees the write. Counters only grow, and a later snapshot sees every
-- transaction an earlier one saw: the same sum in two snapshots means no such write committed
-- between them, whatever order transactions commit in. (A sequence or a maximum of row versions
-- would not say that: their numbers are taken before commit, and commits come in any order.)
--
-- Four counters, chosen by transaction id, so that concurrent writers rarely wait on the same row
-- lock; updated in place all day, hence room for HOT updates and eager vacuuming.
CREATE TABLE ticket_change_counters (
    shard   smallint PRIMARY KEY,
    changes bigint   NOT NULL
) WITH (fillfactor = 10, autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 500);

INSERT INTO ticket_change_counters (shard, changes) SELECT shard, 0 FROM generate_series(0, 3) AS shard;

-- Once per transaction however many rows it wrote (a transaction-local setting remembers it).
CREATE FUNCTION ticket_change_note() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('helpdesk.change_noted', true) IS DISTINCT FROM 'on' THEN
        PERFORM set_config('helpdesk.change_noted', 'on', true);
        UPDATE ticket_change_counters SET changes = changes + 1 WHERE shard = txid_current() % 4;
    END IF;
    RETURN NULL;
END
$$;

-- Deferred to the commit, so the counter's row lock is the last lock every writing transaction
-- takes and is held only while it commits: taken in the middle of a transaction, before the
-- statistics counters' locks in one and after them in another, it could deadlock two writers.
CREATE CONSTRAINT TRIGGER tickets_change_noted
    AFTER INSERT OR UPDATE OR DELETE ON tickets
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ticket_change_note();
-- A requester's list holds the tickets they follow.
CREATE CONSTRAINT TRIGGER ticket_followers_change_noted
    AFTER INSERT OR UPDATE OR DELETE ON ticket_followers
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ticket_change_note();
-- Lists show requesters' names and addresses, the statistics agents' names.
CREATE CONSTRAINT TRIGGER users_change_noted
    AFTER UPDATE OF name, email ON users
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ticket_change_note();
-- Constraint triggers cannot fire on TRUNCATE; it locks the whole table anyway.
CREATE TRIGGER tickets_truncate_change_noted
    AFTER TRUNCATE ON tickets
    FOR EACH STATEMENT EXECUTE FUNCTION ticket_change_note();
