-- The door's offline copy: a phone keeps what it needs to judge scans without the network
-- and refreshes it with the rows that changed since it last asked. A change is found by the
-- transaction that made it: every row the copy depends on carries the id of the transaction
-- that last wrote it (`door_xid`), and a phone's cursor is the oldest transaction still
-- running when it last read (`pg_snapshot_xmin`). Anything that committed after that read
-- has an id at or above the cursor, so no change is missed, however transactions interleave.
ALTER TABLE tickets ADD COLUMN door_xid xid8 NOT NULL DEFAULT pg_current_xact_id();
ALTER TABLE checkins ADD COLUMN door_xid xid8 NOT NULL DEFAULT pg_current_xact_id();
ALTER TABLE checkin_lists ADD COLUMN door_xid xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX tickets_event_door_xid_idx ON tickets (event_id, door_xid);
CREATE INDEX checkins_list_door_xid_idx ON checkins (list_id, door_xid);
CREATE INDEX tickets_attendee_id_idx ON tickets (attendee_id);

CREATE FUNCTION touch_door_xid() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.door_xid := pg_current_xact_id();
    RETURN NEW;
END
$$;
CREATE TRIGGER tickets_touch_door BEFORE UPDATE ON tickets
    FOR EACH ROW EXECUTE FUNCTION touch_door_xid();
CREATE TRIGGER checkins_touch_door BEFORE UPDATE ON checkins
    FOR EACH ROW EXECUTE FUNCTION touch_door_xid();
CREATE TRIGGER checkin_lists_touch_door BEFORE UPDATE ON checkin_lists
    FOR EACH ROW EXECUTE FUNCTION touch_door_xid();

-- What the door shows of a ticket also depends on its order (paid, cancelled, refunded,
-- what is left to collect) and its attendee's name.
CREATE FUNCTION touch_order_tickets() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE tickets SET door_xid = pg_current_xact_id() WHERE order_id = NEW.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER orders_touch_door AFTER UPDATE OF status, refunded_cents, total_cents ON orders
    FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status
          OR OLD.refunded_cents IS DISTINCT FROM NEW.refunded_cents
          OR OLD.total_cents IS DISTINCT FROM NEW.total_cents)
    EXECUTE FUNCTION touch_order_tickets();

CREATE FUNCTION touch_attendee_tickets() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE tickets SET door_xid = pg_current_xact_id() WHERE attendee_id = NEW.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER attendees_touch_door AFTER UPDATE OF full_name ON attendees
    FOR EACH ROW WHEN (OLD.full_name IS DISTINCT FROM NEW.full_name)
    EXECUTE FUNCTION touch_attendee_tickets();

-- Lists are edited by organizers: the tiers a list takes change with its row touched, in
-- the same transaction (checkin::db), so phones refetch the whole list.
