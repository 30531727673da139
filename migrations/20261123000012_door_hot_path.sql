-- Every admission and scan row checked its foreign keys by share-locking the rows they name:
-- the same list, event and staff user for every scan at a door, so concurrent scans queued
-- on those locks (perf: 5 % of PostgreSQL's time in the checks; 1,023 -> 1,222 scans/s
-- without them). Scans are a log that names what it refers to; nothing it names is ever
-- deleted while it matters (an event with tickets cannot be deleted, lists are not deleted
-- once used). Admissions keep their key to the ticket, which the admitting statement holds
-- locked anyway.
ALTER TABLE checkin_scans
    DROP CONSTRAINT checkin_scans_event_id_fkey,
    DROP CONSTRAINT checkin_scans_list_id_fkey,
    DROP CONSTRAINT checkin_scans_ticket_id_fkey,
    DROP CONSTRAINT checkin_scans_staff_user_id_fkey;
ALTER TABLE checkins
    DROP CONSTRAINT checkins_list_fkey,
    DROP CONSTRAINT checkins_admitted_by_fkey,
    DROP CONSTRAINT checkins_undone_by_fkey;
