/**
 * The team API's keys: each names a user, the corps it may read and whether it is an admin (who
 * may read the audit log). Only a key's SHA-256 is kept: keys are 32 random bytes, so a fast hash
 * is as good as a slow one, and a leaked key file reveals no key.
 */
import { createHash, randomBytes } from 'node:crypto';

export interface ApiKeyRecord {
  /** Who uses the key; written to the audit log. */
  readonly user: string;
  /** Corp ids this key may read; `*` for every corp. */
  readonly corps: readonly string[];
  readonly admin: boolean;
}

export interface ApiKeyStore {
  /** The record of a presented key, or undefined. */
  lookup(key: string): ApiKeyRecord | undefined;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** A new key: `wca_` and 43 base64url characters (what the user pastes into VS Code). */
export function newApiKey(): string {
  return `wca_${randomBytes(32).toString('base64url')}`;
}

export function mayRead(record: ApiKeyRecord, corpId: string): boolean {
  return record.corps.includes('*') || record.corps.includes(corpId);
}

/** Keys held as hashes in memory (from the service's config or database). */
export class HashedKeyStore implements ApiKeyStore {
  private readonly byHash = new Map<string, ApiKeyRecord>();

  constructor(entries: Iterable<{ hash: string; record: ApiKeyRecord }> = []) {
    for (const e of entries) this.byHash.set(e.hash.toLowerCase(), e.record);
  }

  add(key: string, record: ApiKeyRecord): void {
    this.byHash.set(hashApiKey(key), record);
  }

  lookup(key: string): ApiKeyRecord | undefined {
    return key ? this.byHash.get(hashApiKey(key)) : undefined;
  }
}
