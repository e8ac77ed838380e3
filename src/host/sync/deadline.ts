// Each corp's 5-day deadline: WeCom keeps messages 5 days, so whatever arrived after the last
// successful sync is lost at lastSuccessAt + 5 days unless a sync succeeds before then. Pure
// (no vscode, no clock of its own), so the arithmetic is tested at its boundaries.
import type { Translate } from '../../shared/l10n';
import { RETENTION_SECONDS } from '../../core/archive/gaps';

export const RETENTION_MS = RETENTION_SECONDS * 1000;
/** A corp is "at risk" this long before its deadline. */
export const AT_RISK_MS = 24 * 3600_000;

export interface CorpSyncFacts {
  lastSuccessAt?: number;
  lastError?: { message: string; at: number };
  /** Messages stored so far by a run in progress; undefined when none runs. */
  syncing?: number;
}

export type CorpHealth =
  | { kind: 'syncing'; count: number; deadlineAt?: number }
  | { kind: 'never' }
  | { kind: 'neverFailing'; since: number; message: string }
  | { kind: 'synced'; lastSuccessAt: number; deadlineAt: number }
  | { kind: 'failing'; since: number; message: string; deadlineAt: number }
  | { kind: 'atRisk'; leftMs: number; deadlineAt: number; failing: boolean }
  /** The deadline passed: messages may be lost (a refused cursor then becomes a gap, shown as today). */
  | { kind: 'lost'; deadlineAt: number };

/** When messages not yet archived start to be dropped; undefined before the first success. */
export function deadlineOf(lastSuccessAt: number | undefined): number | undefined {
  return lastSuccessAt === undefined ? undefined : lastSuccessAt + RETENTION_MS;
}

/** Whether the last sync failed: an error recorded after the last success. */
export function lastSyncFailed(facts: Pick<CorpSyncFacts, 'lastSuccessAt' | 'lastError'>): boolean {
  return facts.lastError !== undefined && (facts.lastSuccessAt === undefined || facts.lastError.at > facts.lastSuccessAt);
}

/**
 * The corp's state at `now`. The deadline is inclusive, as the simulator applies WeCom's
 * retention: at 5 d the corp is at risk with 0 left; a moment later it is lost.
 */
export function corpHealth(facts: CorpSyncFacts, now: number): CorpHealth {
  const deadlineAt = deadlineOf(facts.lastSuccessAt);
  if (facts.syncing !== undefined) return deadlineAt === undefined ? { kind: 'syncing', count: facts.syncing } : { kind: 'syncing', count: facts.syncing, deadlineAt };
  const err = facts.lastError;
  const failing = lastSyncFailed(facts);
  if (deadlineAt === undefined) return failing && err ? { kind: 'neverFailing', since: err.at, message: err.message } : { kind: 'never' };
  const leftMs = deadlineAt - now;
  if (leftMs < 0) return { kind: 'lost', deadlineAt };
  if (leftMs <= AT_RISK_MS) return { kind: 'atRisk', leftMs, deadlineAt, failing };
  if (failing && err) return { kind: 'failing', since: err.at, message: err.message, deadlineAt };
  return { kind: 'synced', lastSuccessAt: facts.lastSuccessAt as number, deadlineAt };
}

/** Worth a warning notification: within 24 h of the deadline and the last sync failed. */
export function needsWarning(health: CorpHealth): boolean {
  return health.kind === 'atRisk' && health.failing;
}

/** Whether the status bar counts the corp as at risk (close to or past its deadline). */
export function isAtRisk(health: CorpHealth): boolean {
  return health.kind === 'atRisk' || health.kind === 'lost';
}

/** "3 min", "20 h", "2 d": the largest unit, rounded down (a deadline is never overstated). */
export function formatSpan(ms: number, t: Translate): string {
  const min = Math.max(0, Math.floor(ms / 60_000));
  if (min < 60) return t('{0} min', min);
  const h = Math.floor(min / 60);
  if (h < 48) return t('{0} h', h);
  return t('{0} d', Math.floor(h / 24));
}

/** The profile node's state text in the tree: "syncing 1,234", "synced 3 min ago", "⚠ 20 h left"… */
export function healthText(h: CorpHealth, now: number, t: Translate, formatTime: (ms: number) => string): string {
  switch (h.kind) {
    case 'syncing':
      return t('syncing {0}', h.count.toLocaleString());
    case 'never':
      return t('not synced yet');
    case 'neverFailing':
      return t('failing since {0}', formatTime(h.since));
    case 'synced':
      return t('synced {0} ago', formatSpan(now - h.lastSuccessAt, t));
    case 'failing':
      return t('failing since {0}', formatTime(h.since));
    case 'atRisk':
      return t('⚠ {0} left', formatSpan(h.leftMs, t));
    case 'lost':
      return t('⚠ 5-day window passed: messages may be lost');
  }
}

export interface CorpsSummary {
  corps: number;
  syncing: number;
  atRisk: number;
  failing: number;
  never: number;
}

export function summarize(healths: readonly CorpHealth[]): CorpsSummary {
  const s: CorpsSummary = { corps: healths.length, syncing: 0, atRisk: 0, failing: 0, never: 0 };
  for (const h of healths) {
    if (h.kind === 'syncing') s.syncing++;
    else if (isAtRisk(h)) s.atRisk++;
    else if (h.kind === 'failing' || h.kind === 'neverFailing') s.failing++;
    else if (h.kind === 'never') s.never++;
  }
  return s;
}

/** The status bar's words for all corps: "12 corps · synced", "⚠ 1 corp at risk", … */
export function summaryText(s: CorpsSummary, t: Translate): string {
  if (s.atRisk > 0) return s.atRisk === 1 ? t('⚠ 1 corp at risk') : t('⚠ {0} corps at risk', s.atRisk);
  if (s.failing > 0) return s.failing === 1 ? t('1 corp failing') : t('{0} corps failing', s.failing);
  const corps = s.corps === 1 ? t('1 corp') : t('{0} corps', s.corps);
  if (s.syncing > 0) return t('{0} · syncing {1}', corps, s.syncing);
  if (s.never > 0) return t('{0} · {1} not synced yet', corps, s.never);
  return t('{0} · synced', corps);
}
