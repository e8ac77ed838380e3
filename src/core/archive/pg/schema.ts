/**
 * The PostgreSQL schema of the archive service, versioned: `archive_migrations` holds the versions
 * applied; the missing steps run in one transaction, each with its row, under an advisory lock, so
 * replicas starting together migrate once and none sees half a schema. A database migrated by a newer build is refused.
 *
 * Every table leads with `corp_id` (a Citus cluster can shard every table by it, unchanged).
 * Ids may be 2,000 characters of CJK (6 KB of UTF-8), past the 2.7 KB a btree entry holds, so
 * rows are keyed by a 16-byte hash of the id (`mkey`, `khash`, `phash`, `rhash`, see keys.ts) and
 * the id itself is plain data. Messages are partitioned by month of send_time (`month`, see
 * monthOf) and created on demand; their msgid index is `msgids`, one unpartitioned table, because a
 * unique key on a partitioned table must include the partition key and the same msgid must be
 * stored once whatever send_time a hostile page gives it. `messages` has no key of its own: `msgids`
 * guards uniqueness and holds each message's (khash, send_time, seq), which the one chat index of
 * `messages` finds; an index fewer to maintain per message. Both indexes lead with a hash (step 2). Times are float8: every JS number exactly.
 */
import type { ClientBase } from 'pg';
import { ArchiveError } from '../errors';

/** Serializes migrations and partition creation across replicas. */
export const DDL_LOCK = 0x77_63_61_72; // 'wcar'

export const PG_MIGRATIONS: readonly string[] = [
  `CREATE TABLE sync_state (
     corp_id text COLLATE "C" NOT NULL PRIMARY KEY,
     cursor text COLLATE "C", last_success float8, last_error text, last_error_at float8, last_message_time float8);
   CREATE TABLE leases (
     corp_id text COLLATE "C" NOT NULL, name text NOT NULL, owner text NOT NULL, expires_at float8 NOT NULL,
     PRIMARY KEY (corp_id, name));
   CREATE TABLE gaps (
     corp_id text COLLATE "C" NOT NULL, id bigint GENERATED ALWAYS AS IDENTITY,
     from_time float8 NOT NULL, to_time float8 NOT NULL, reason text NOT NULL, recorded_at float8 NOT NULL,
     PRIMARY KEY (corp_id, id));
   CREATE TABLE parties (
     corp_id text COLLATE "C" NOT NULL, phash bytea NOT NULL, pid text COLLATE "C" NOT NULL, type float8 NOT NULL,
     PRIMARY KEY (corp_id, phash));
   CREATE TABLE chats (
     corp_id text COLLATE "C" NOT NULL, khash bytea NOT NULL, key text COLLATE "C" NOT NULL, kind smallint NOT NULL,
     chatid text COLLATE "C", a_type float8, a_pid text COLLATE "C", b_type float8, b_pid text COLLATE "C",
     first_time float8 NOT NULL, last_time float8 NOT NULL, count bigint NOT NULL, member_count bigint NOT NULL,
     party_types integer NOT NULL, counts_by_type jsonb NOT NULL, key_versions jsonb NOT NULL,
     PRIMARY KEY (corp_id, khash));
   CREATE INDEX chats_by_activity ON chats (corp_id, kind, last_time DESC);
   CREATE TABLE chat_members (
     corp_id text COLLATE "C" NOT NULL, khash bytea NOT NULL, phash bytea NOT NULL, sent bigint NOT NULL,
     PRIMARY KEY (corp_id, khash, phash));
   CREATE TABLE recv_sets (
     corp_id text COLLATE "C" NOT NULL, rhash bytea NOT NULL, json text NOT NULL, PRIMARY KEY (corp_id, rhash));
   CREATE TABLE msgids (
     corp_id text COLLATE "C" NOT NULL, mkey bytea NOT NULL, month integer NOT NULL, send_time float8 NOT NULL,
     seq bigint NOT NULL, khash bytea NOT NULL,
     PRIMARY KEY (corp_id, mkey));
   CREATE TABLE messages (
     corp_id text COLLATE "C" NOT NULL, month integer NOT NULL, mkey bytea NOT NULL, khash bytea NOT NULL,
     send_time float8 NOT NULL, seq bigint NOT NULL, msgtype float8 NOT NULL, sender bytea NOT NULL,
     rhash bytea, msgid text COLLATE "C" NOT NULL, raw text NOT NULL
   ) PARTITION BY RANGE (month);
   CREATE INDEX messages_by_chat ON messages (corp_id, khash, send_time, seq);
   CREATE SEQUENCE message_seq INCREMENT BY 1024;
   CREATE TABLE messages_m0 PARTITION OF messages FOR VALUES FROM (0) TO (1);`,
  // 2: the two indexes every message enters lead with its fixed-width hash, not with corp_id. A
  // text column first leaves PostgreSQL no cached offset for the columns after it, so every
  // comparison walked the tuple: measured, the msgids key took a quarter longer to insert into.
  // msgids keeps corp_id in its key (a Citus cluster needs it there); messages_by_chat needs no
  // corp_id (every query of it names the corp, and a chat hash two corps share is filtered out).
  `ALTER TABLE msgids DROP CONSTRAINT msgids_pkey, ADD PRIMARY KEY (mkey, corp_id);
   DROP INDEX messages_by_chat;
   CREATE INDEX messages_by_chat ON messages (khash, send_time, seq);`,
];

export const PG_SCHEMA_VERSION = PG_MIGRATIONS.length;

/** Seconds of the first instant of year 10000: later (and negative, NaN) times are not calendar months. */
const MAX_TIME = 253_402_300_800;

/**
 * The partition of a send_time: months since 1970-01 plus one; 0 holds every time no calendar
 * month has (negative, beyond year 9999, not finite), which hostile pages may send.
 */
export function monthOf(sendTime: number): number {
  if (!(sendTime >= 0 && sendTime < MAX_TIME)) return 0;
  const d = new Date(Math.floor(sendTime) * 1000);
  return (d.getUTCFullYear() - 1970) * 12 + d.getUTCMonth() + 1;
}

/** The partition bounds' readable name, e.g. messages_2026_12. */
export function partitionName(month: number): string {
  if (month === 0) return 'messages_m0';
  const y = 1970 + Math.floor((month - 1) / 12);
  const m = ((month - 1) % 12) + 1;
  return `messages_${y}_${String(m).padStart(2, '0')}`;
}

/** Applies the migrations not applied yet; the version found before. */
export async function migratePg(client: ClientBase, migrations: readonly string[] = PG_MIGRATIONS): Promise<number> {
  await client.query('CREATE TABLE IF NOT EXISTS archive_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [DDL_LOCK]);
    const { rows } = await client.query<{ v: number | null }>('SELECT max(version) AS v FROM archive_migrations');
    const before = rows[0]?.v ?? 0;
    if (before > migrations.length) {
      throw new ArchiveError('NEWER_SCHEMA', `the database holds archive schema ${before}, newer than this build knows (${migrations.length}): upgrade the service`);
    }
    for (let v = before + 1; v <= migrations.length; v++) {
      await client.query('SAVEPOINT step');
      await client.query(migrations[v - 1]!);
      await client.query('INSERT INTO archive_migrations(version) VALUES ($1)', [v]);
      await client.query('RELEASE SAVEPOINT step');
    }
    await client.query('COMMIT');
    return before;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** Creates the month partitions not there yet, in a transaction of their own (see PgArchive.ensureMonths). */
export async function createPartitions(client: ClientBase, months: readonly number[]): Promise<void> {
  await client.query('BEGIN');
  try {
    // A partition waits for the transactions open on `messages` (another replica's group, ≤ 2 s).
    await client.query("SET LOCAL lock_timeout = '30s'");
    await client.query('SELECT pg_advisory_xact_lock($1)', [DDL_LOCK]);
    for (const month of months) {
      await client.query(`CREATE TABLE IF NOT EXISTS ${partitionName(month)} PARTITION OF messages FOR VALUES FROM (${month}) TO (${month + 1})`);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
