/**
 * The XML of WeCom's suite callbacks (docs/wecom-api.md §8): the envelope WeCom posts
 * (`<xml><ToUserName/><Encrypt/><AgentID/></xml>`) and the events inside it that the archive
 * service acts on. Values are kept exactly as sent (no trimming, no number parsing): a token is an
 * opaque string that goes back to WeCom byte for byte.
 */
import { XMLBuilder, XMLParser } from 'fast-xml-parser';

export type CallbackEvent =
  | { readonly type: 'suite_ticket'; readonly suiteId: string; readonly ticket: string; readonly timestamp: string }
  | { readonly type: 'create_auth'; readonly suiteId: string; readonly authCode: string; readonly timestamp: string }
  | { readonly type: 'change_auth'; readonly suiteId: string; readonly corpId: string; readonly timestamp: string }
  | { readonly type: 'cancel_auth'; readonly suiteId: string; readonly corpId: string; readonly timestamp: string }
  | { readonly type: 'conversation_new_message'; readonly suiteId: string; readonly corpId: string; readonly token: string; readonly timestamp: string }
  | { readonly type: 'hit_keyword'; readonly suiteId: string; readonly corpId: string; readonly token: string; readonly timestamp: string }
  /** An InfoType this product does not act on: acknowledged, logged, nothing else. */
  | { readonly type: 'other'; readonly infoType: string; readonly suiteId: string; readonly timestamp: string };

export class CallbackFormatError extends Error {
  constructor(readonly rule: 'xml.malformed' | 'xml.missing_field', detail: string) {
    super(`callback refused (${rule}): ${detail}`);
    this.name = 'CallbackFormatError';
  }
}

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: false,
  // Entities are expanded only for XML's five; no DOCTYPE-defined ones (billion laughs).
  processEntities: true,
  htmlEntities: false,
});

const builder = new XMLBuilder({ cdataPropName: '__cdata', format: false, suppressEmptyNode: false });

/** The flat `<xml>` element's children as strings; throws CallbackFormatError. */
function readFlat(xml: string): Record<string, string> {
  let doc: unknown;
  try {
    doc = parser.parse(xml, true);
  } catch (error) {
    throw new CallbackFormatError('xml.malformed', error instanceof Error ? error.message.split('\n')[0]! : 'not XML');
  }
  const root = (doc as { xml?: unknown } | undefined)?.xml;
  if (typeof root !== 'object' || root === null) throw new CallbackFormatError('xml.malformed', 'no <xml> root element');
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(root)) {
    if (typeof value === 'string' || typeof value === 'number') out[name] = String(value);
  }
  return out;
}

function need(fields: Record<string, string>, name: string): string {
  const value = fields[name];
  if (value === undefined || value === '') throw new CallbackFormatError('xml.missing_field', `<${name}> is missing`);
  return value;
}

/** The `Encrypt` of a posted callback. */
export function parseEnvelope(xml: string): { encrypt: string; toUserName?: string; agentId?: string } {
  const fields = readFlat(xml);
  return {
    encrypt: need(fields, 'Encrypt'),
    ...(fields.ToUserName !== undefined ? { toUserName: fields.ToUserName } : {}),
    ...(fields.AgentID !== undefined ? { agentId: fields.AgentID } : {}),
  };
}

/** The decrypted event. */
export function parseEvent(xml: string): CallbackEvent {
  const f = readFlat(xml);
  const infoType = need(f, 'InfoType');
  const suiteId = f.SuiteId ?? '';
  const timestamp = f.TimeStamp ?? '';
  switch (infoType) {
    case 'suite_ticket':
      return { type: infoType, suiteId, ticket: need(f, 'SuiteTicket'), timestamp };
    case 'create_auth':
      return { type: infoType, suiteId, authCode: need(f, 'AuthCode'), timestamp };
    case 'change_auth':
    case 'cancel_auth':
      return { type: infoType, suiteId, corpId: need(f, 'AuthCorpId'), timestamp };
    case 'conversation_new_message':
    case 'hit_keyword':
      return { type: infoType, suiteId, corpId: need(f, 'AuthCorpId'), token: need(f, 'Token'), timestamp };
    default:
      return { type: 'other', infoType, suiteId, timestamp };
  }
}

function cdataXml(fields: Record<string, string>): string {
  const xml: Record<string, { __cdata: string }> = {};
  for (const [name, value] of Object.entries(fields)) xml[name] = { __cdata: value };
  return builder.build({ xml }) as string;
}

/** The XML of an event, as WeCom writes it (the simulator sends these). */
export function eventXml(event: CallbackEvent): string {
  const base = { SuiteId: event.suiteId, InfoType: event.type === 'other' ? event.infoType : event.type, TimeStamp: event.timestamp };
  switch (event.type) {
    case 'suite_ticket':
      return cdataXml({ ...base, SuiteTicket: event.ticket });
    case 'create_auth':
      return cdataXml({ ...base, AuthCode: event.authCode });
    case 'change_auth':
    case 'cancel_auth':
      return cdataXml({ ...base, AuthCorpId: event.corpId });
    case 'conversation_new_message':
    case 'hit_keyword':
      return cdataXml({ ...base, AuthCorpId: event.corpId, Token: event.token });
    default:
      return cdataXml(base);
  }
}

/** The envelope WeCom posts around an encrypted event. */
export function envelopeXml(encrypt: string, toUserName: string): string {
  return cdataXml({ ToUserName: toUserName, Encrypt: encrypt, AgentID: '' });
}
