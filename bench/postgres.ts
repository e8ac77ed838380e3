// A throwaway PostgreSQL cluster for the benchmarks (scripts/postgres.mjs) and databases on it.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Client } from 'pg';
import { repoRoot } from './support';

export async function startPostgres(): Promise<{ url: string; dir: string; stop(): void }> {
  const script = pathToFileURL(join(repoRoot(), 'scripts', 'postgres.mjs')).href;
  const { startPostgres: start } = (await import(script)) as { startPostgres(): Promise<{ url: string; dir: string; stop(): void }> };
  return start();
}

/** A new database on the cluster; its URL. */
export async function database(admin: string, name: string): Promise<string> {
  const c = new Client({ connectionString: admin });
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return u.toString();
}
