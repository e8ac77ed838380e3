// The 5-day deadline at its boundaries, checked against the simulator's retention rule (WeCom's, as
// docs/wecom-api.md §2 states it) so the warning and the loss can never disagree about the moment.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RETENTION_SECONDS } from '../../../src/core/simulator/simulation';
import { AT_RISK_MS, type CorpHealth, corpHealth, formatSpan, healthText, needsWarning, summarize, summaryText } from '../../../src/host/sync/deadline';

const H = 3600_000;
const D = 24 * H;
const LAST = 1_780_000_000_000;
/** English "translation": fills {n} like vscode.l10n.t does. */
const t = (m: string, ...a: (string | number)[]) => m.replace(/\{(\d+)\}/g, (_, i: string) => String(a[Number(i)]));
const fmt = (ms: number) => new Date(ms).toISOString();
const failed = { message: 'WeCom refused the token (40014)', at: LAST + 1 };

describe('corp deadline (last success + 5 days)', () => {
  it('4 d 23 h after the last success: 1 h left, at risk; warned only when the last sync failed', () => {
    const ok = corpHealth({ lastSuccessAt: LAST }, LAST + 4 * D + 23 * H);
    assert.deepEqual(ok, { kind: 'atRisk', leftMs: H, deadlineAt: LAST + 5 * D, failing: false });
    assert.equal(needsWarning(ok), false);
    assert.equal(healthText(ok, 0, t, fmt), '⚠ 1 h left');
    const bad = corpHealth({ lastSuccessAt: LAST, lastError: failed }, LAST + 4 * D + 23 * H);
    assert.equal(bad.kind === 'atRisk' && bad.failing, true);
    assert.equal(needsWarning(bad), true);
  });

  it('24 h before the deadline is the first moment at risk; a millisecond earlier it is failing, not at risk', () => {
    const before = corpHealth({ lastSuccessAt: LAST, lastError: failed }, LAST + 4 * D - 1);
    assert.equal(before.kind, 'failing');
    assert.equal(needsWarning(before), false);
    const at = corpHealth({ lastSuccessAt: LAST, lastError: failed }, LAST + 4 * D);
    assert.equal(at.kind, 'atRisk');
    assert.equal(at.kind === 'atRisk' && at.leftMs, AT_RISK_MS);
    assert.equal(healthText(at, 0, t, fmt), '⚠ 24 h left');
  });

  it('exactly 5 d: 0 left but not lost (a message 5 days old is still kept); 1 s later lost', () => {
    assert.equal(RETENTION_SECONDS * 1000, 5 * D, "the deadline is WeCom's retention");
    const at5 = corpHealth({ lastSuccessAt: LAST }, LAST + 5 * D);
    assert.deepEqual(at5, { kind: 'atRisk', leftMs: 0, deadlineAt: LAST + 5 * D, failing: false });
    assert.equal(healthText(at5, 0, t, fmt), '⚠ 0 min left');
    const after = corpHealth({ lastSuccessAt: LAST }, LAST + 5 * D + 1000);
    assert.deepEqual(after, { kind: 'lost', deadlineAt: LAST + 5 * D });
    assert.equal(healthText(after, 0, t, fmt), '⚠ 5-day window passed: messages may be lost');
  });

  it('after a loss: the next successful sync (the one after the gap) starts a new 5-day deadline', () => {
    const resumed = LAST + 6 * D;
    const h = corpHealth({ lastSuccessAt: resumed }, resumed + 3 * 60_000);
    assert.deepEqual(h, { kind: 'synced', lastSuccessAt: resumed, deadlineAt: resumed + 5 * D });
    assert.equal(healthText(h, resumed + 3 * 60_000, t, fmt), 'synced 3 min ago');
  });

  it('a failure older than the last success is not "failing"; never synced has no deadline', () => {
    assert.equal(corpHealth({ lastSuccessAt: LAST, lastError: { message: 'x', at: LAST - 1 } }, LAST + H).kind, 'synced');
    assert.deepEqual(corpHealth({}, LAST), { kind: 'never' });
    assert.equal(corpHealth({ lastError: failed }, LAST).kind, 'neverFailing');
    const syncing = corpHealth({ lastSuccessAt: LAST, syncing: 1234 }, LAST + 6 * D);
    assert.deepEqual(syncing, { kind: 'syncing', count: 1234, deadlineAt: LAST + 5 * D });
    assert.equal(healthText(corpHealth({ lastSuccessAt: LAST, lastError: failed }, LAST + H), LAST + H, t, fmt), `failing since ${fmt(failed.at)}`);
  });

  it('spans round down, so the time left is never overstated', () => {
    assert.equal(formatSpan(59_999, t), '0 min');
    assert.equal(formatSpan(20 * H + 59 * 60_000, t), '20 h');
    assert.equal(formatSpan(47 * H + 59 * 60_000, t), '47 h');
    assert.equal(formatSpan(4 * D + 23 * H, t), '4 d');
  });

  it('the status bar sums up every corp, at-risk first', () => {
    const synced: CorpHealth = { kind: 'synced', lastSuccessAt: LAST, deadlineAt: LAST + 5 * D };
    const twelve = Array.from({ length: 12 }, () => synced);
    assert.equal(summaryText(summarize(twelve), t), '12 corps · synced');
    const risky: CorpHealth = { kind: 'atRisk', leftMs: 20 * H, deadlineAt: 0, failing: true };
    const failing: CorpHealth = { kind: 'failing', since: LAST, message: 'x', deadlineAt: LAST + 5 * D };
    assert.equal(summaryText(summarize([...twelve.slice(1), risky, failing]), t), '⚠ 1 corp at risk');
    assert.equal(summaryText(summarize([risky, { kind: 'lost', deadlineAt: 0 }]), t), '⚠ 2 corps at risk');
    assert.equal(summaryText(summarize([synced, failing]), t), '1 corp failing');
    assert.equal(summaryText(summarize([synced, { kind: 'syncing', count: 3 }]), t), '2 corps · syncing 1');
    assert.equal(summaryText(summarize([synced]), t), '1 corp · synced');
  });
});
