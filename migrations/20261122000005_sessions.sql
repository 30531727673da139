-- Sessions move from the session library's own schema into a table of ours, with the user a
-- session belongs to as a column: "log out everywhere" and "end this user's other
-- sessions" become one statement, and the table is described like every other one.
-- People logged in before this migration log in again.
DROP SCHEMA IF EXISTS tower_sessions CASCADE;

CREATE TABLE sessions (
    id         text PRIMARY KEY,
    user_id    uuid REFERENCES users (id) ON DELETE CASCADE,
    data       jsonb NOT NULL,
    expires_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT sessions_data_object CHECK (jsonb_typeof(data) = 'object')
);
CREATE INDEX sessions_user_idx ON sessions (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX sessions_expires_idx ON sessions (expires_at);
CREATE TRIGGER sessions_set_updated_at BEFORE UPDATE ON sessions
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
