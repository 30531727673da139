-- Pages read availability from the counters checkout keeps (ticket_tiers.taken,
-- event_inventory.taken), which cost the same however many tickets were sold. The views
-- below grouped every ticket in the database on each read and are no longer used.
DROP VIEW event_stats;
DROP VIEW tier_stats;
