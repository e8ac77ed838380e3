// The fault plan: rules that make chosen calls fail the way a real network or WeCom does.
// Call numbers are 1-based per path; `rate` draws from a seeded PRNG so runs are repeatable.
import { mulberry32, hash2 } from './prng';

export type FaultKind = 'http5xx' | 'reset' | 'delay' | 'malformed' | 'errcode';

export const FAULT_ERRCODES: readonly number[] = [-1, 45009, 45033, 42001, 301058, 50100, 48001, 48002, 48004, 60020, 301052, 301053];

export interface FaultRule {
  kind: FaultKind;
  /** Full path (`/cgi-bin/chatdata/sync_msg`) or last segment (`sync_msg`); absent = every WeCom API. */
  path?: string;
  /** Probability 0..1 per matching call. */
  rate?: number;
  /** 1-based call numbers (per path) that fail. */
  calls?: number[];
  /** At most this many injections by this rule. */
  times?: number;
  /** http5xx: 500, 502 or 503 (default 503). */
  status?: number;
  /** delay: milliseconds before the normal reply. */
  delayMs?: number;
  /** errcode: which WeCom errcode to reply. */
  errcode?: number;
}

interface ActiveRule {
  readonly rule: FaultRule;
  readonly rand: () => number;
  injected: number;
}

const KINDS: readonly FaultKind[] = ['http5xx', 'reset', 'delay', 'malformed', 'errcode'];

/** Validates rules from JSON (control endpoint); throws with a readable message. */
export function parseFaultRules(input: unknown): FaultRule[] {
  const list = Array.isArray(input) ? input : (input as { rules?: unknown } | null)?.rules;
  if (!Array.isArray(list)) throw new Error('expected an array of rules or {rules:[…]}');
  return list.map((raw, i): FaultRule => {
    const r = raw as Partial<Record<keyof FaultRule, unknown>>;
    const where = `rule ${i}`;
    if (typeof r !== 'object' || r === null || !KINDS.includes(r.kind as FaultKind)) {
      throw new Error(`${where}: kind must be one of ${KINDS.join(', ')}`);
    }
    const rule: FaultRule = { kind: r.kind as FaultKind };
    if (r.path !== undefined) {
      if (typeof r.path !== 'string') throw new Error(`${where}: path must be a string`);
      rule.path = r.path;
    }
    if (r.rate !== undefined) {
      if (typeof r.rate !== 'number' || r.rate < 0 || r.rate > 1) throw new Error(`${where}: rate must be 0..1`);
      rule.rate = r.rate;
    }
    if (r.calls !== undefined) {
      if (!Array.isArray(r.calls) || !r.calls.every((c) => Number.isInteger(c) && c >= 1)) {
        throw new Error(`${where}: calls must be 1-based integers`);
      }
      rule.calls = r.calls as number[];
    }
    if (r.times !== undefined) {
      if (!Number.isInteger(r.times) || (r.times as number) < 0) throw new Error(`${where}: times must be >= 0`);
      rule.times = r.times as number;
    }
    if (rule.kind === 'http5xx') {
      const status = r.status ?? 503;
      if (status !== 500 && status !== 502 && status !== 503) throw new Error(`${where}: status must be 500, 502 or 503`);
      rule.status = status;
    }
    if (rule.kind === 'delay') {
      if (typeof r.delayMs !== 'number' || r.delayMs < 0) throw new Error(`${where}: delayMs must be >= 0`);
      rule.delayMs = r.delayMs;
    }
    if (rule.kind === 'errcode') {
      if (typeof r.errcode !== 'number' || !FAULT_ERRCODES.includes(r.errcode)) {
        throw new Error(`${where}: errcode must be one of ${FAULT_ERRCODES.join(', ')}`);
      }
      rule.errcode = r.errcode;
    }
    return rule;
  });
}

function pathMatches(rulePath: string | undefined, path: string): boolean {
  if (rulePath === undefined) return true;
  return rulePath === path || path.endsWith(`/${rulePath}`);
}

export class FaultPlan {
  private rules: ActiveRule[] = [];

  constructor(private readonly seed: number) {}

  set(rules: readonly FaultRule[]): void {
    this.rules = rules.map((rule, i) => ({ rule: { ...rule }, rand: mulberry32(hash2(this.seed, 0xfa17 + i)), injected: 0 }));
  }

  list(): FaultRule[] {
    return this.rules.map((r) => ({ ...r.rule }));
  }

  /** The first rule that fires for this call, counting it as injected. */
  decide(path: string, callNumber: number): FaultRule | undefined {
    for (const active of this.rules) {
      const { rule } = active;
      if (!pathMatches(rule.path, path)) continue;
      if (rule.times !== undefined && active.injected >= rule.times) continue;
      if (rule.calls !== undefined && !rule.calls.includes(callNumber)) continue;
      if (rule.rate !== undefined && active.rand() >= rule.rate) continue;
      active.injected++;
      return rule;
    }
    return undefined;
  }
}
