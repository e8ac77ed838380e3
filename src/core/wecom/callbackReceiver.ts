/**
 * What the provider's callback URL answers (docs/wecom-api.md §8), as a pure function of the
 * request, so the service mounts it on any HTTP server and tests call it directly.
 *
 * - GET (URL verification): verify `msg_signature` over `echostr`, decrypt it, answer the plaintext.
 * - POST (events): verify the signature over the envelope's `Encrypt`, decrypt, answer `success`;
 *   the caller acts on the returned event afterwards (WeCom wants the answer within 1 s).
 * Refused: a bad or missing signature, a timestamp outside the window (stale or from the future),
 * a (timestamp, nonce) seen before within the window (a replay), malformed XML or ciphertext, a
 * plaintext addressed to another receiver. A refusal names its rule and never echoes secrets.
 */
import { CallbackCryptoError, type CallbackSecrets, decryptCallback, signatureMatches } from './callbackCrypto';
import { type CallbackEvent, CallbackFormatError, parseEnvelope, parseEvent } from './callbackEvents';

export type CallbackRefusal =
  | 'method.not_allowed'
  | 'query.missing'
  | 'timestamp.stale'
  | 'nonce.replayed'
  | 'body.too_large'
  | CallbackCryptoError['rule']
  | CallbackFormatError['rule'];

export type CallbackOutcome =
  | { readonly ok: true; readonly status: 200; readonly body: string; readonly event?: CallbackEvent }
  | { readonly ok: false; readonly status: 400 | 403 | 405 | 413; readonly body: string; readonly rule: CallbackRefusal };

export interface CallbackRequest {
  readonly method: string;
  readonly query: URLSearchParams;
  readonly body: string;
}

export interface ReceiverOptions {
  /** Seconds a callback's timestamp may be away from now; default 300. */
  readonly windowSeconds?: number;
  /** Wall clock in ms; default Date.now. */
  readonly now?: () => number;
  /** Nonces remembered at most (oldest dropped first); default 100,000. */
  readonly maxNonces?: number;
}

/** Larger bodies are refused before parsing: WeCom's events are a few hundred bytes. */
export const MAX_CALLBACK_BODY_BYTES = 64 * 1024;

function refuse(status: 400 | 403 | 405 | 413, rule: CallbackRefusal): CallbackOutcome {
  return { ok: false, status, body: `refused: ${rule}`, rule };
}

export class CallbackReceiver {
  private readonly windowSeconds: number;
  private readonly now: () => number;
  private readonly maxNonces: number;
  /** `timestamp:nonce` → when it may be forgotten (seconds). Insertion order = age. */
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly secrets: CallbackSecrets,
    options: ReceiverOptions = {},
  ) {
    this.windowSeconds = options.windowSeconds ?? 300;
    this.now = options.now ?? Date.now;
    this.maxNonces = options.maxNonces ?? 100_000;
  }

  handle(req: CallbackRequest): CallbackOutcome {
    if (req.method !== 'GET' && req.method !== 'POST') return refuse(405, 'method.not_allowed');
    const signature = req.query.get('msg_signature');
    const timestamp = req.query.get('timestamp');
    const nonce = req.query.get('nonce');
    if (!signature || !timestamp || !nonce) return refuse(400, 'query.missing');
    if (Buffer.byteLength(req.body, 'utf8') > MAX_CALLBACK_BODY_BYTES) return refuse(413, 'body.too_large');
    const nowSeconds = Math.floor(this.now() / 1000);
    const sent = Number(timestamp);
    if (!/^\d{1,12}$/.test(timestamp) || Math.abs(nowSeconds - sent) > this.windowSeconds) return refuse(403, 'timestamp.stale');
    try {
      let encrypted: string;
      if (req.method === 'GET') {
        const echo = req.query.get('echostr');
        if (!echo) return refuse(400, 'query.missing');
        encrypted = echo;
      } else {
        encrypted = parseEnvelope(req.body).encrypt;
      }
      if (!signatureMatches(this.secrets, { signature, timestamp, nonce }, encrypted)) return refuse(403, 'signature.mismatch');
      // Remembered only once the signature holds: forged requests cannot fill the cache.
      if (!this.remember(`${timestamp}:${nonce}`, sent, nowSeconds)) return refuse(403, 'nonce.replayed');
      const plain = decryptCallback(this.secrets, encrypted);
      if (req.method === 'GET') return { ok: true, status: 200, body: plain };
      return { ok: true, status: 200, body: 'success', event: parseEvent(plain) };
    } catch (error) {
      if (error instanceof CallbackCryptoError) return refuse(error.rule === 'signature.mismatch' ? 403 : 400, error.rule);
      if (error instanceof CallbackFormatError) return refuse(400, error.rule);
      throw error;
    }
  }

  /** False when the pair was seen within the window. */
  private remember(key: string, sent: number, nowSeconds: number): boolean {
    for (const [k, until] of this.seen) {
      if (until >= nowSeconds && this.seen.size < this.maxNonces) break;
      this.seen.delete(k);
    }
    if (this.seen.has(key)) return false;
    // Forgotten once its timestamp leaves the window: after that the timestamp check refuses it.
    this.seen.set(key, sent + this.windowSeconds);
    return true;
  }
}
