/**
 * PostgreSQL for tests: the run's throwaway cluster (scripts/postgres.mjs; the service tier's
 * runner starts one and names it in WECOM_PG_URL), or one started for this process when run alone
 * and stopped at its exit. Each caller gets a database of its own, so test files never share rows.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Client } from 'pg';
import { ROOT } from '../unit/archive/helpers';

interface Cluster {
  url: string;
  stop(): void;
}

let cluster: Promise<string> | undefined;

/** The cluster's admin URL (postgres database). */
export function clusterUrl(): Promise<string> {
  cluster ??= (async () => {
    if (process.env.WECOM_PG_URL) return process.env.WECOM_PG_URL;
    const script = pathToFileURL(join(ROOT, 'scripts', 'postgres.mjs')).href;
    const { startPostgres } = (await import(script)) as { startPostgres(): Promise<Cluster> };
    return (await startPostgres()).url;
  })();
  return cluster;
}

/** A new, empty database on the cluster; its URL. */
export async function freshDatabase(prefix = 't'): Promise<string> {
  const admin = await clusterUrl();
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const client = new Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url.toString();
}
