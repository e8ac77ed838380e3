/**
 * WeCom's callback crypto (docs/wecom-api.md §8): the signature and the AES envelope of every
 * event WeCom posts to the provider's callback URL, and of the `echostr` of URL verification.
 *
 * - signature: hex SHA-1 of token, timestamp, nonce and the ciphertext, sorted and concatenated;
 * - key: base64(EncodingAESKey + "=") — 43 characters give 32 bytes; IV = the key's first 16 bytes;
 * - AES-256-CBC with PKCS#7 padding to 32-byte blocks (not AES's 16);
 * - plaintext: 16 random bytes, the message's length (4 bytes, big-endian), the message, and the
 *   receiver id (the suite id for the events this product receives), which must match.
 *
 * Errors carry a code (the rule broken) and no key material; callers word and log them.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export type CallbackRule =
  | 'key.format'
  | 'signature.mismatch'
  | 'ciphertext.format'
  | 'padding.invalid'
  | 'length.invalid'
  | 'receiver.mismatch';

export class CallbackCryptoError extends Error {
  constructor(
    readonly rule: CallbackRule,
    detail: string,
  ) {
    super(`callback refused (${rule}): ${detail}`);
    this.name = 'CallbackCryptoError';
  }
}

export interface CallbackSecrets {
  /** The callback Token configured for the app (signs every callback). */
  readonly token: string;
  /** The 43-character EncodingAESKey configured for the app. */
  readonly encodingAesKey: string;
  /** Who the plaintext must name: the suite id for suite events. */
  readonly receiverId: string;
}

const BLOCK = 32;
const ENCODING_AES_KEY = /^[A-Za-z0-9+/]{43}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** The 32-byte AES key of a 43-character EncodingAESKey. */
export function aesKeyOf(encodingAesKey: string): Buffer {
  if (!ENCODING_AES_KEY.test(encodingAesKey)) {
    throw new CallbackCryptoError('key.format', 'EncodingAESKey must be 43 characters of the base64 alphabet');
  }
  const key = Buffer.from(`${encodingAesKey}=`, 'base64');
  if (key.length !== 32) throw new CallbackCryptoError('key.format', 'EncodingAESKey does not decode to 32 bytes');
  return key;
}

/** The msg_signature of a callback: hex SHA-1 of the four strings, sorted and concatenated. */
export function callbackSignature(token: string, timestamp: string, nonce: string, encrypted: string): string {
  // Sorted by code unit, as the SDKs' byte-wise sort does for the ASCII these values hold.
  const parts = [token, timestamp, nonce, encrypted].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha1').update(parts.join(''), 'utf8').digest('hex');
}

/** Whether `signature` is the callback's signature; compared in constant time. */
export function signatureMatches(secrets: Pick<CallbackSecrets, 'token'>, q: { signature: string; timestamp: string; nonce: string }, encrypted: string): boolean {
  const expected = Buffer.from(callbackSignature(secrets.token, q.timestamp, q.nonce, encrypted), 'utf8');
  const given = Buffer.from(q.signature.toLowerCase(), 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Encrypts `message` for `receiverId` (what WeCom does; the simulator and tests use it). */
export function encryptCallback(secrets: Pick<CallbackSecrets, 'encodingAesKey' | 'receiverId'>, message: string, random: Buffer = randomBytes(16)): string {
  if (random.length !== 16) throw new RangeError('the random prefix must be 16 bytes');
  const key = aesKeyOf(secrets.encodingAesKey);
  const body = Buffer.from(message, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  const plain = Buffer.concat([random, length, body, Buffer.from(secrets.receiverId, 'utf8')]);
  const pad = BLOCK - (plain.length % BLOCK);
  const padded = Buffer.concat([plain, Buffer.alloc(pad, pad)]);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(padded), cipher.final()]).toString('base64');
}

/** Decrypts a callback's `Encrypt` (or `echostr`) and checks its length and receiver. */
export function decryptCallback(secrets: Pick<CallbackSecrets, 'encodingAesKey' | 'receiverId'>, encrypted: string): string {
  const key = aesKeyOf(secrets.encodingAesKey);
  if (!BASE64.test(encrypted)) throw new CallbackCryptoError('ciphertext.format', 'not base64');
  const data = Buffer.from(encrypted, 'base64');
  if (data.length === 0 || data.length % 16 !== 0) throw new CallbackCryptoError('ciphertext.format', `${data.length} bytes is not a whole number of AES blocks`);
  const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
  decipher.setAutoPadding(false);
  const padded = Buffer.concat([decipher.update(data), decipher.final()]);
  const pad = padded[padded.length - 1]!;
  if (pad < 1 || pad > BLOCK || pad > padded.length || !padded.subarray(padded.length - pad).every((b) => b === pad)) {
    throw new CallbackCryptoError('padding.invalid', 'the PKCS#7 padding is malformed (wrong key, or a corrupted message)');
  }
  const plain = padded.subarray(0, padded.length - pad);
  if (plain.length < 20) throw new CallbackCryptoError('length.invalid', 'shorter than its 20-byte header');
  const length = plain.readUInt32BE(16);
  if (20 + length > plain.length) throw new CallbackCryptoError('length.invalid', `the message claims ${length} bytes, ${plain.length - 20} follow`);
  const receiver = plain.subarray(20 + length).toString('utf8');
  if (receiver !== secrets.receiverId) throw new CallbackCryptoError('receiver.mismatch', 'the message is addressed to another receiver');
  return plain.subarray(20, 20 + length).toString('utf8');
}
