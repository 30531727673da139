-- The rules that keep orders linked to their event and tier without locking those hot rows
-- (see 20261122000003_orders.sql) used to raise the names of foreign keys that no longer
-- exist. They become constraint triggers, so each rule is a real, named constraint in
-- pg_constraint and the name an error carries is one the database knows. Constraint
-- triggers run after the row is written; raising there still undoes the statement.

DROP TRIGGER orders_check_event ON orders;
DROP TRIGGER order_items_check_tier ON order_items;
DROP TRIGGER events_refuse_delete_with_orders ON events;
DROP TRIGGER ticket_tiers_refuse_delete_with_orders ON ticket_tiers;
DROP FUNCTION orders_check_event();
DROP FUNCTION order_items_check_tier();
DROP FUNCTION refuse_delete_with_orders();

CREATE FUNCTION orders_event_of_organization() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM events WHERE id = NEW.event_id AND organization_id = NEW.organization_id) THEN
        RAISE EXCEPTION 'event % of organization % does not exist', NEW.event_id, NEW.organization_id
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'orders_event_of_organization';
    END IF;
    RETURN NULL;
END;
$$;
CREATE CONSTRAINT TRIGGER orders_event_of_organization
    AFTER INSERT OR UPDATE OF event_id, organization_id ON orders
    FOR EACH ROW EXECUTE FUNCTION orders_event_of_organization();

CREATE FUNCTION order_items_tier_of_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM ticket_tiers t JOIN orders o ON o.event_id = t.event_id
                    WHERE t.id = NEW.tier_id AND o.id = NEW.order_id) THEN
        RAISE EXCEPTION 'tier % is not a tier of the order''s event', NEW.tier_id
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'order_items_tier_of_event';
    END IF;
    RETURN NULL;
END;
$$;
CREATE CONSTRAINT TRIGGER order_items_tier_of_event
    AFTER INSERT OR UPDATE OF tier_id, order_id ON order_items
    FOR EACH ROW EXECUTE FUNCTION order_items_tier_of_event();

CREATE FUNCTION events_without_orders() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM orders WHERE event_id = OLD.id) THEN
        RAISE EXCEPTION 'event % has orders', OLD.id
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'events_without_orders';
    END IF;
    RETURN NULL;
END;
$$;
CREATE CONSTRAINT TRIGGER events_without_orders AFTER DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_without_orders();

CREATE FUNCTION ticket_tiers_without_orders() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM order_items WHERE tier_id = OLD.id) THEN
        RAISE EXCEPTION 'tier % has orders', OLD.id
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'ticket_tiers_without_orders';
    END IF;
    RETURN NULL;
END;
$$;
CREATE CONSTRAINT TRIGGER ticket_tiers_without_orders AFTER DELETE ON ticket_tiers
    FOR EACH ROW EXECUTE FUNCTION ticket_tiers_without_orders();
