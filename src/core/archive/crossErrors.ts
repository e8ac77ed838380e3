/**
 * Typed errors across a thread boundary. Structured clone keeps only an Error's name, message and
 * stack, so a WeComApiError from the sync thread would arrive as a plain Error without its errcode,
 * kind or next step, and `instanceof` checks in the host would fail. Here an error becomes plain
 * data (its class name and its own fields) and is revived as an instance of the same class.
 *
 * Revived by prototype, not by constructor: the fields are exactly the ones the error had (its
 * wording was built and redacted where it was thrown), and this module does not depend on each
 * class's constructor signature. A class not listed here arrives as a plain Error with its message.
 */
import {
  BadResponseError,
  CancelledError,
  ConfigError,
  DecryptError,
  NetworkError,
  RequestRuleError,
  TimeoutError,
  TokenError,
  UnexpectedError,
  WeComApiError,
} from '../wecom/errors';
import { ArchiveError, ServerProtocolError, SyncBusyError } from './errors';

export interface CrossError {
  /** The class's name, as registered below; anything else revives as Error. */
  kind: string;
  message: string;
  stack?: string;
  /** The error's own enumerable fields (plain data), `cause` left out. */
  fields: Record<string, unknown>;
}

/** A constructor of any signature: only its prototype is used. */
type ErrorClass = abstract new (...args: never[]) => Error;

const CLASSES: ReadonlyMap<string, ErrorClass> = new Map<string, ErrorClass>([
  ['WeComApiError', WeComApiError],
  ['NetworkError', NetworkError],
  ['TimeoutError', TimeoutError],
  ['BadResponseError', BadResponseError],
  ['CancelledError', CancelledError],
  ['RequestRuleError', RequestRuleError],
  ['ConfigError', ConfigError],
  ['TokenError', TokenError],
  ['DecryptError', DecryptError],
  ['UnexpectedError', UnexpectedError],
  ['ServerProtocolError', ServerProtocolError],
  ['SyncBusyError', SyncBusyError],
  ['ArchiveError', ArchiveError],
]);

/** The registered class `error` is an instance of, most derived first (Map order lists subclasses first). */
function classOf(error: Error): string | undefined {
  for (const [name, cls] of CLASSES) if (error instanceof cls) return name;
  return undefined;
}

/** Only values structured clone copies as they are (no functions, no class instances but plain data). */
function plain(value: unknown, depth = 0): boolean {
  if (value === null || ['string', 'number', 'boolean', 'undefined'].includes(typeof value)) return true;
  if (depth > 4 || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.every((v) => plain(v, depth + 1));
  if (Object.getPrototypeOf(value) !== Object.prototype) return false;
  return Object.values(value as Record<string, unknown>).every((v) => plain(v, depth + 1));
}

export function toCrossError(error: unknown): CrossError {
  if (!(error instanceof Error)) return { kind: 'Error', message: String(error), fields: {} };
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(error)) {
    if (key !== 'cause' && plain(value)) fields[key] = value;
  }
  return { kind: classOf(error) ?? 'Error', message: error.message, ...(error.stack ? { stack: error.stack } : {}), fields };
}

export function fromCrossError(data: CrossError): Error {
  const cls = CLASSES.get(data.kind);
  const error: Error = cls ? (Object.create(cls.prototype) as Error) : new Error(data.message);
  Object.assign(error, data.fields);
  // Like the constructor would: message and stack are own, non-enumerable properties.
  Object.defineProperty(error, 'message', { value: data.message, writable: true, configurable: true, enumerable: false });
  if (data.stack) Object.defineProperty(error, 'stack', { value: data.stack, writable: true, configurable: true, enumerable: false });
  return error;
}
