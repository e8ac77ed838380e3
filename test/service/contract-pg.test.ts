/** The archive contract (contract.ts) on PostgreSQL: every corp an archive of its own in one database. */
import { before } from 'node:test';
import { PgArchive } from '../../src/core/archive/pg/archive';
import { freshDatabase } from '../harness/postgres';
import { archiveContract } from '../unit/archive/contract';

let url: string;
before(async () => {
  url = await freshDatabase('contract');
});

// Every archive is a corp of the same database: the suite also proves corps do not see each other.
const open = (name: string) => PgArchive.open(url, `corp-${name}`);
archiveContract('PostgreSQL', { open, reopen: open });
