// The suite callbacks WeCom pushes to the provider's 指令回调URL (docs/wecom-api.md §8), signed and
// encrypted as WeCom does: conversation_new_message after new messages (each with a fresh sync_msg
// token, at most one per corp per interval — WeCom documents 15 s — later arrivals coalesce into
// the next push), suite_ticket on a period (WeCom's is 10 minutes; tests scale it down), and
// create_auth / cancel_auth when a corp authorizes or leaves. Delivery is retried a few times, as
// WeCom retries a push that was not answered.
import { randomBytes } from 'node:crypto';
import { callbackSignature, encryptCallback } from '../wecom/callbackCrypto';
import { type CallbackEvent, envelopeXml, eventXml } from '../wecom/callbackEvents';

export interface CallbackTarget {
  /** The provider's callback URL; loopback only (http://127.0.0.1:…, localhost or [::1]). */
  url: string;
  /** The callback Token and EncodingAESKey the provider configured for the app. */
  token: string;
  encodingAesKey: string;
  /** Seconds between two conversation_new_message pushes for one corp (default 15). */
  minIntervalSeconds?: number;
  /** Seconds between suite_ticket pushes (default 600); 0 turns them off. */
  ticketPeriodSeconds?: number;
}

export interface CallbackStats {
  /** Pushes answered `success`, by InfoType. */
  delivered: Record<string, number>;
  /** Pushes given up after every attempt failed. */
  failed: number;
  /** Attempts that were not answered `success` (each retry counts). */
  refused: number;
}

const ATTEMPTS = 3;
const RETRY_MS = 500;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Throws when the URL is not http(s) on loopback: the simulator never calls anything else. */
export function checkCallbackUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`callback URL ${JSON.stringify(url)} is not a URL`);
  }
  if ((parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || !LOOPBACK.has(parsed.hostname)) {
    throw new Error('the callback URL must be http(s) on 127.0.0.1, localhost or [::1]');
  }
  return parsed;
}

export class CallbackPusher {
  private readonly url: URL;
  private readonly minIntervalMs: number;
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Per corp: when its last conversation_new_message went out, and whether one is scheduled. */
  private readonly corps = new Map<string, { lastMs: number; scheduled: boolean }>();
  private readonly counts: CallbackStats = { delivered: {}, failed: 0, refused: 0 };
  private closed = false;

  constructor(
    private readonly target: CallbackTarget,
    private readonly suiteId: string,
    /** A new suite ticket (the simulator then accepts it for get_suite_token). */
    mintTicket: () => string,
  ) {
    this.url = checkCallbackUrl(target.url);
    this.minIntervalMs = Math.max(0, (target.minIntervalSeconds ?? 15) * 1000);
    const period = target.ticketPeriodSeconds ?? 600;
    if (period > 0) {
      const push = () => this.push({ type: 'suite_ticket', suiteId, ticket: mintTicket(), timestamp: nowSeconds() });
      this.every(period * 1000, push);
      this.later(0, push);
    }
  }

  /** New messages in `corpId`: a push now, or at the end of the corp's interval if one just went. */
  newMessages(corpId: string, mintToken: () => string): void {
    const state = this.corps.get(corpId) ?? { lastMs: Number.NEGATIVE_INFINITY, scheduled: false };
    this.corps.set(corpId, state);
    if (state.scheduled) return;
    state.scheduled = true;
    const wait = Math.max(0, state.lastMs + this.minIntervalMs - Date.now());
    this.later(wait, () => {
      state.scheduled = false;
      state.lastMs = Date.now();
      // The token is minted when the push goes out: it is valid for its whole 10 minutes from then.
      this.push({ type: 'conversation_new_message', suiteId: this.suiteId, corpId, token: mintToken(), timestamp: nowSeconds() });
    });
  }

  authorized(authCode: string): void {
    this.later(0, () => this.push({ type: 'create_auth', suiteId: this.suiteId, authCode, timestamp: nowSeconds() }));
  }

  cancelled(corpId: string): void {
    this.later(0, () => this.push({ type: 'cancel_auth', suiteId: this.suiteId, corpId, timestamp: nowSeconds() }));
  }

  /** The corp changed what it granted. */
  changed(corpId: string): void {
    this.later(0, () => this.push({ type: 'change_auth', suiteId: this.suiteId, corpId, timestamp: nowSeconds() }));
  }

  /** A keyword rule matched in the corp (its token is for get_hit_msg_list). */
  keywordHit(corpId: string): void {
    this.later(0, () => this.push({ type: 'hit_keyword', suiteId: this.suiteId, corpId, token: randomBytes(16).toString('hex'), timestamp: nowSeconds() }));
  }

  stats(): CallbackStats {
    return { delivered: { ...this.counts.delivered }, failed: this.counts.failed, refused: this.counts.refused };
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.closed) fn();
    }, ms);
    t.unref();
    this.timers.add(t);
  }

  private every(ms: number, fn: () => void): void {
    const loop = () =>
      this.later(ms, () => {
        fn();
        loop();
      });
    loop();
  }

  private push(event: CallbackEvent, attempt = 1): void {
    const encrypt = encryptCallback({ encodingAesKey: this.target.encodingAesKey, receiverId: this.suiteId }, eventXml(event));
    const timestamp = nowSeconds();
    const nonce = randomBytes(8).toString('hex');
    const url = new URL(this.url);
    url.searchParams.set('msg_signature', callbackSignature(this.target.token, timestamp, nonce, encrypt));
    url.searchParams.set('timestamp', timestamp);
    url.searchParams.set('nonce', nonce);
    const type = event.type === 'other' ? event.infoType : event.type;
    fetch(url, { method: 'POST', body: envelopeXml(encrypt, this.suiteId), headers: { 'content-type': 'text/xml' }, signal: AbortSignal.timeout(5000) })
      .then(async (res) => (await res.text()).trim() === 'success' && res.ok)
      .catch(() => false)
      .then((ok) => {
        if (ok) {
          this.counts.delivered[type] = (this.counts.delivered[type] ?? 0) + 1;
          return;
        }
        this.counts.refused++;
        if (attempt < ATTEMPTS) this.later(RETRY_MS * attempt, () => this.push(event, attempt + 1));
        else this.counts.failed++;
      });
  }
}

function nowSeconds(): string {
  return String(Math.floor(Date.now() / 1000));
}
