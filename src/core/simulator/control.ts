// Control endpoints under /_sim/ (not WeCom's API; the server listens on loopback only). They
// mirror the control functions of RunningSimulator so out-of-process users (CLI, benchmarks) can
// drive the simulator too.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type FaultRule, parseFaultRules } from './faults';
import type { MessageOverride } from './generator';
import { send, sendJson } from './http';
import type { MessageSecret } from './keys';
import type { RawMessageInput } from './rawMessages';
import type { SimMessage } from './simulation';
import type { SimStats } from './stats';
import { VIEWER_CSP, viewerPage } from './viewer';

export interface SimulatorControl {
  mintCallbackToken(): string;
  /** A new callback token and its lifetime in seconds (what conversation_new_message carries). */
  issueCallbackToken(): { token: string; expiresIn: number };
  issueAccessToken(): { token: string; expiresIn: number };
  addMessages(count: number, override?: MessageOverride): string[];
  /** Messages given whole (any ids, any numbers), sent now. */
  addRawMessages(list: RawMessageInput[]): string[];
  advanceClock(seconds: number): number;
  now(): number;
  setFaults(rules: FaultRule[]): void;
  faults(): FaultRule[];
  stats(): SimStats;
  message(msgid: string): SimMessage | undefined;
  secretOf(msgid: string): MessageSecret | undefined;
  privateKeyPem(version?: number): string | undefined;
  info(): Record<string, unknown>;
}

export interface ControlOptions {
  tokenServiceSecret: string | undefined;
  callbackTokenTtl: number;
  /** info() of every corp, for GET /_sim/corps. */
  corps: () => Record<string, unknown>[];
}

function parseJson(raw: string): Record<string, unknown> {
  if (raw.trim() === '') return {};
  const v: unknown = JSON.parse(raw);
  if (typeof v !== 'object' || v === null) throw new Error('body must be a JSON object or array');
  return v as Record<string, unknown>;
}

function parseOverride(body: Record<string, unknown>): MessageOverride | undefined {
  const o: MessageOverride = {};
  if (body.msgtype !== undefined) {
    if (!Number.isInteger(body.msgtype) || (body.msgtype as number) < 0 || (body.msgtype as number) > 255) {
      throw new Error('msgtype must be an integer 0..255');
    }
    o.msgtype = body.msgtype as number;
  }
  if (body.content !== undefined) {
    if (typeof body.content !== 'string') throw new Error('content must be a string');
    o.content = body.content;
  }
  return Object.keys(o).length > 0 ? o : undefined;
}

/** Handles a /_sim/ request (unknown control routes get 404). */
export function handleControl(
  ctl: SimulatorControl,
  opts: ControlOptions,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  raw: string,
): void {
  const route = `${req.method ?? 'GET'} ${url.pathname}`;
  try {
    switch (route) {
      case 'GET /_sim/token-service': {
        if (opts.tokenServiceSecret !== undefined && req.headers.authorization !== `Bearer ${opts.tokenServiceSecret}`) {
          sendJson(res, 401, { error: 'unauthorized' });
          return;
        }
        const { token, expiresIn } = ctl.issueAccessToken();
        sendJson(res, 200, { access_token: token, expires_in: expiresIn });
        return;
      }
      // The provider's callback token service: the latest conversation_new_message token.
      // expires_at is wall-clock time, as the provider's service knows it.
      case 'GET /_sim/callback-token': {
        if (opts.tokenServiceSecret !== undefined && req.headers.authorization !== `Bearer ${opts.tokenServiceSecret}`) {
          sendJson(res, 401, { error: 'unauthorized' });
          return;
        }
        const { token, expiresIn } = ctl.issueCallbackToken();
        sendJson(res, 200, { token, expires_at: Math.floor(Date.now() / 1000) + expiresIn });
        return;
      }
      case 'GET /_sim/corps':
        sendJson(res, 200, { corps: opts.corps() });
        return;
      case 'POST /_sim/token':
        sendJson(res, 200, { token: ctl.mintCallbackToken(), expires_in: opts.callbackTokenTtl });
        return;
      case 'POST /_sim/messages': {
        const body = parseJson(raw);
        const count = body.count ?? 1;
        if (!Number.isInteger(count) || (count as number) < 0 || (count as number) > 1_000_000) {
          throw new Error('count must be an integer 0..1000000');
        }
        const msgids = ctl.addMessages(count as number, parseOverride(body));
        sendJson(res, 200, { msgids, total: ctl.stats().messages });
        return;
      }
      case 'POST /_sim/raw-messages': {
        const list = (parseJson(raw) as { messages?: unknown }).messages;
        if (!Array.isArray(list) || list.length > 10_000) throw new Error('messages must be a list of at most 10000 {json, content?}');
        const msgids = ctl.addRawMessages(list as RawMessageInput[]);
        sendJson(res, 200, { msgids, total: ctl.stats().messages });
        return;
      }
      case 'GET /_sim/clock':
        sendJson(res, 200, { now: ctl.now() });
        return;
      case 'POST /_sim/clock': {
        const seconds = parseJson(raw).seconds;
        if (typeof seconds !== 'number' || !(seconds >= 0)) throw new Error('seconds must be a number >= 0');
        sendJson(res, 200, { now: ctl.advanceClock(seconds) });
        return;
      }
      case 'GET /_sim/faults':
        sendJson(res, 200, { rules: ctl.faults() });
        return;
      case 'POST /_sim/faults': {
        const rules = parseFaultRules(raw.trim() === '' ? [] : JSON.parse(raw));
        ctl.setFaults(rules);
        sendJson(res, 200, { rules });
        return;
      }
      case 'GET /_sim/stats':
        sendJson(res, 200, ctl.stats());
        return;
      case 'GET /_sim/info':
        sendJson(res, 200, ctl.info());
        return;
      case 'GET /_sim/private-key': {
        const pem = ctl.privateKeyPem(Number(url.searchParams.get('version') ?? '1'));
        if (pem === undefined) sendJson(res, 404, { error: 'no private key known for this version' });
        else send(res, 200, pem, 'application/x-pem-file');
        return;
      }
      case 'GET /_sim/message': {
        const msgid = url.searchParams.get('msgid') ?? '';
        const message = ctl.message(msgid);
        if (message === undefined) sendJson(res, 404, { error: 'unknown msgid' });
        else sendJson(res, 200, { message, secret: ctl.secretOf(msgid) });
        return;
      }
      case 'GET /_sim/viewer': {
        const msgid = url.searchParams.get('msgid') ?? '';
        const page = viewerPage(ctl.message(msgid), msgid);
        res.setHeader('content-security-policy', VIEWER_CSP);
        send(res, page.status, page.html, 'text/html; charset=utf-8');
        return;
      }
      default:
        sendJson(res, 404, { error: `unknown control route ${route}` });
    }
  } catch (e) {
    sendJson(res, 400, { error: e instanceof Error ? e.message : String(e) });
  }
}
