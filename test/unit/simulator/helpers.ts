// Shared helpers for the simulator tests: JSON calls against 127.0.0.1 and RSA PKCS#1 v1.5
// decryption done by hand (Node 22 refuses RSA_PKCS1_PADDING in privateDecrypt).
import { constants, createPublicKey, generateKeyPairSync, privateDecrypt } from 'node:crypto';
import type { RunningSimulator, WeComMessage } from '../../../src/core/simulator';

export type Json = Record<string, unknown>;

export interface Reply {
  status: number;
  body: Json;
}

export async function post(url: string, body: unknown): Promise<Reply> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Json };
}

export function api(sim: RunningSimulator, name: 'sync_msg' | 'search_msg' | 'set_public_key', token = sim.accessToken): string {
  return `${sim.url}/cgi-bin/chatdata/${name}?access_token=${encodeURIComponent(token)}`;
}

/** A message as sync_msg returns it (a type only: the tests check every field at run time). */
export type SyncMessage = WeComMessage;

export interface SyncReply {
  errcode: number;
  errmsg: string;
  has_more: boolean;
  next_cursor: string;
  msg_list: SyncMessage[];
}

export async function sync(sim: RunningSimulator, body: Json): Promise<SyncReply> {
  const r = await post(api(sim, 'sync_msg'), body);
  return r.body as unknown as SyncReply;
}

/** Pages sync_msg until has_more is false; returns every message and the last cursor. */
export async function syncAll(sim: RunningSimulator, token: string, cursor?: string, limit = 1000): Promise<{ messages: SyncMessage[]; cursor: string }> {
  const messages: SyncMessage[] = [];
  let next = cursor;
  for (;;) {
    const r = await sync(sim, { cursor: next, token, limit });
    if (r.errcode !== 0) throw new Error(`sync_msg failed: ${r.errcode} ${r.errmsg}`);
    messages.push(...r.msg_list);
    next = r.next_cursor;
    if (!r.has_more) return { messages, cursor: next };
  }
}

/** Decrypts an RSA PKCS#1 v1.5 block without relying on privateDecrypt's PKCS#1 support. */
export function rsaPkcs1Decrypt(privateKeyPem: string, base64: string): string {
  const block = privateDecrypt({ key: privateKeyPem, padding: constants.RSA_NO_PADDING }, Buffer.from(base64, 'base64'));
  // EM = 0x00 || 0x02 || PS (non-zero, >= 8 bytes) || 0x00 || M
  if (block[0] !== 0x00 || block[1] !== 0x02) throw new Error('not a PKCS#1 v1.5 encryption block');
  const sep = block.indexOf(0x00, 2);
  if (sep < 10) throw new Error('bad PKCS#1 v1.5 padding');
  return block.subarray(sep + 1).toString('utf8');
}

export function rsaKeyPair(): { publicKey: string; privateKey: string } {
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
}

export const DAY = 86400;

/** The SPKI PEM of a private key: lets one file reuse a single generated key pair. */
export function publicKeyOf(privateKeyPem: string): string {
  return createPublicKey(privateKeyPem).export({ type: 'spki', format: 'pem' }).toString();
}
