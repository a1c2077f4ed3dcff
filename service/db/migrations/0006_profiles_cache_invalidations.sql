-- Profiles, which the API caches in the cache Redis, and the invalidation outbox that keeps that cache
-- honest when Redis cannot be reached at the moment of an update.

CREATE TABLE profiles (
  user_id uuid PRIMARY KEY REFERENCES users (id),
  display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
  bio text CHECK (length(bio) <= 500),
  locale text NOT NULL DEFAULT 'en',
  timezone text NOT NULL DEFAULT 'UTC',
  -- Sensitive metadata: an update of either purges every cache entry that shows it (profile, dashboard)
  -- instead of writing the new value through.
  email text,
  phone text,
  -- Which widgets the dashboard shows, in order (part of the dashboard's cached entry).
  dashboard_layout jsonb NOT NULL DEFAULT '["balances", "recent-payouts"]',
  -- +1 on every update: clients, and the harness hunting stale reads, compare versions.
  version bigint NOT NULL DEFAULT 1,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Every user has a profile from the start, so a read is one primary-key lookup and an update one UPDATE.
INSERT INTO profiles (user_id, display_name) SELECT id, name FROM users;

CREATE FUNCTION create_profile() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO profiles (user_id, display_name) VALUES (NEW.id, NEW.name);
  RETURN NEW;
END $$;

CREATE TRIGGER users_create_profile AFTER INSERT ON users FOR EACH ROW EXECUTE FUNCTION create_profile();

-- The invalidation outbox. A profile update inserts its row in the same transaction, so a committed
-- update always leaves either a purged cache or a row here. The API deletes the row once its purge
-- reached Redis; every API process's sync pass purges (and deletes) whatever is left, and a process
-- serves from the cache only while its passes succeed, so nothing committed stays unpurged and served.
-- Normally empty: rows live for one Redis round trip, or for as long as Redis is unreachable.
CREATE TABLE cache_invalidations (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id uuid NOT NULL,
  -- The entries to purge: 'profile', 'dashboard'.
  caches text[] NOT NULL CHECK (cardinality(caches) > 0),
  created_at timestamptz NOT NULL DEFAULT now()
);
