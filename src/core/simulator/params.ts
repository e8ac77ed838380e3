// Shared request-body checks. Every violation is 40058 naming the parameter (docs/wecom-api.md §2, §3).
import { ApiError, ErrCode, invalidParam } from './errors';

export type Body = Readonly<Record<string, unknown>>;

/** The body must be a JSON object; an empty body counts as `{}` (all sync_msg fields are optional). */
export function parseBody(raw: string): Body {
  if (raw.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new ApiError(ErrCode.dataFormatError, 'data format error: request body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ApiError(ErrCode.dataFormatError, 'data format error: request body must be a JSON object');
  }
  return value as Body;
}

/** A string field; null or absent → undefined. `maxBytes` counts UTF-8 bytes. */
export function optionalString(obj: Body, name: string, label = name, maxBytes?: number): string | undefined {
  const v = obj[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw invalidParam(label, 'must be a string');
  if (maxBytes !== undefined && Buffer.byteLength(v, 'utf8') > maxBytes) {
    throw invalidParam(label, `must not exceed ${maxBytes} bytes`);
  }
  return v;
}

/** An integer field within [min, max]; null or absent → undefined. */
export function optionalInt(obj: Body, name: string, min: number, max: number, label = name): number | undefined {
  const v = obj[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw invalidParam(label, `must be an integer from ${min} to ${max}`);
  }
  return v;
}
