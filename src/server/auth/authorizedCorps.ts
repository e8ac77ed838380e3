/**
 * The corps that authorized the suite through create_auth, kept in PostgreSQL beside the archive so
 * that every replica, and the service after a restart, syncs them without a config edit. The
 * permanent code is stored sealed (codeSeal.ts). A cancel_auth is kept here too, for configured
 * corps as well (a row without a code): a revoked corp stays revoked across restarts until it
 * authorizes again. The table is the service's, not the archive's: it is created here, under the
 * archive's DDL lock, and the archive's versioned migrations (core/archive/pg) do not know it.
 */
import type { Pool } from 'pg';
import { DDL_LOCK } from '../../core/archive/pg/schema';
import { fromPgText, toPgText } from '../../core/archive/pg/text';

export interface AuthorizedCorp {
  corpId: string;
  corpName: string;
  /** The sealed permanent code; null for a configured corp whose revocation is all that is kept. */
  sealedCode: string | null;
  authorizedAt: number | null;
  revokedAt: number | null;
}

type Queryable = Pick<Pool, 'query' | 'connect'>;

export async function ensureAuthorizedCorpsTable(pool: Queryable): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // Replicas starting together: CREATE TABLE IF NOT EXISTS alone can still collide on the type.
    await client.query('SELECT pg_advisory_xact_lock($1)', [DDL_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS authorized_corps (
      corp_id text COLLATE "C" NOT NULL PRIMARY KEY, corp_name text NOT NULL DEFAULT '',
      sealed_code text, authorized_at float8, revoked_at float8, updated_at float8 NOT NULL)`);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** create_auth: the corp is (again) authorized with this code. */
export async function saveAuthorized(pool: Queryable, corp: { corpId: string; corpName: string; sealedCode: string }, at: number): Promise<void> {
  await pool.query(
    `INSERT INTO authorized_corps (corp_id, corp_name, sealed_code, authorized_at, revoked_at, updated_at) VALUES ($1, $2, $3, $4, NULL, $4)
     ON CONFLICT (corp_id) DO UPDATE SET corp_name = EXCLUDED.corp_name, sealed_code = EXCLUDED.sealed_code,
       authorized_at = EXCLUDED.authorized_at, revoked_at = NULL, updated_at = EXCLUDED.updated_at`,
    [toPgText(corp.corpId), toPgText(corp.corpName), corp.sealedCode, at],
  );
}

/** cancel_auth: kept revoked (its archive stays); a configured corp gets a row of its own. */
export async function saveRevoked(pool: Queryable, corpId: string, at: number): Promise<void> {
  await pool.query(
    `INSERT INTO authorized_corps (corp_id, revoked_at, updated_at) VALUES ($1, $2, $2)
     ON CONFLICT (corp_id) DO UPDATE SET revoked_at = EXCLUDED.revoked_at, updated_at = EXCLUDED.updated_at`,
    [toPgText(corpId), at],
  );
}

export async function listAuthorized(pool: Queryable): Promise<AuthorizedCorp[]> {
  const { rows } = await pool.query<{ corp_id: string; corp_name: string; sealed_code: string | null; authorized_at: number | null; revoked_at: number | null }>(
    'SELECT corp_id, corp_name, sealed_code, authorized_at, revoked_at FROM authorized_corps ORDER BY corp_id',
  );
  return rows.map((r) => ({
    corpId: fromPgText(r.corp_id),
    corpName: fromPgText(r.corp_name),
    sealedCode: r.sealed_code,
    authorizedAt: r.authorized_at,
    revokedAt: r.revoked_at,
  }));
}
