/**
 * create_auth's exchange (src/server/auth/authorizer.ts) against the simulator: the code is
 * exchanged once and stored sealed; a second delivery is handled once; a used code (40078) and a
 * network that never answers are logged, retried where it makes sense, and never thrown. The
 * permanent code appears in no log line.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RunningSimulator, startSimulator } from '../../../src/core/simulator/index';
import { SuiteAccessTokens } from '../../../src/core/wecom/tokens';
import { CorpAuthorizer } from '../../../src/server/auth/authorizer';
import { CodeSeal } from '../../../src/server/auth/codeSeal';

const KEY = 'k'.repeat(40);

interface Harness {
  authorizer: CorpAuthorizer;
  logs: Array<{ level: string; msg: string; fields: Record<string, unknown> }>;
  rows: Array<{ corpId: string; corpName: string; sealedCode: string }>;
  added: string[];
  suite: SuiteAccessTokens;
}

function harness(sim: RunningSimulator, opts: { baseUrl?: string; seal?: CodeSeal | undefined; failStore?: boolean } = {}): Harness {
  const suite = new SuiteAccessTokens({ suiteId: sim.suite.suiteId, suiteSecret: sim.suite.suiteSecret, suiteTicket: sim.suite.suiteTicket, baseUrl: opts.baseUrl ?? sim.url, timeoutMs: 2000 });
  const h: Harness = { logs: [], rows: [], added: [], suite, authorizer: undefined as unknown as CorpAuthorizer };
  h.authorizer = new CorpAuthorizer({
    suite: () => suite,
    seal: 'seal' in opts ? opts.seal : new CodeSeal(KEY),
    store: async (row) => {
      if (opts.failStore) throw new Error('database is down');
      h.rows.push(row);
    },
    added: (grant) => h.added.push(grant.corpId),
    log: (level, msg, fields = {}) => h.logs.push({ level, msg, fields }),
    secret: () => undefined,
    retryDelaysMs: [10, 20],
  });
  return h;
}

describe('CodeSeal: permanent codes at rest', () => {
  it('opens what it sealed, for that corp and key only; the sealed text does not hold the code', () => {
    const seal = new CodeSeal(KEY);
    const sealed = seal.seal('wxcorp', 'the-permanent-code');
    assert.ok(!sealed.includes('the-permanent-code'));
    assert.notEqual(seal.seal('wxcorp', 'the-permanent-code'), sealed, 'a fresh IV each time');
    assert.equal(seal.open('wxcorp', sealed), 'the-permanent-code');
    assert.throws(() => seal.open('wxother', sealed), /does not open/);
    assert.throws(() => new CodeSeal('j'.repeat(40)).open('wxcorp', sealed), (e: Error) => /does not open/.test(e.message) && !e.message.includes('the-permanent-code'));
    assert.throws(() => new CodeSeal('short'), /at least 32/);
  });
});

describe('CorpAuthorizer: create_auth → permanent code', () => {
  let sim: RunningSimulator;
  before(async () => {
    sim = await startSimulator({ messages: 50, days: 1, seed: 5 });
  });
  after(async () => {
    await sim?.close();
  });

  it('exchanges the code once, stores it sealed and adds the corp; a second delivery is handled once', async () => {
    const { corpId, authCode } = await sim.authorize();
    const h = harness(sim);
    const [a, b] = await Promise.all([h.authorizer.handle(authCode), h.authorizer.handle(authCode)]);
    assert.deepEqual([a, b], ['added', 'duplicate']);
    assert.deepEqual(h.added, [corpId]);
    assert.equal(h.rows.length, 1);
    const code = sim.corp(corpId)!.suite.permanentCode;
    assert.equal(new CodeSeal(KEY).open(corpId, h.rows[0]!.sealedCode), code);
    assert.ok(!JSON.stringify(h.logs).includes(code));
    assert.ok(!JSON.stringify(h.logs).includes(authCode));
    await h.suite.close();
  });

  it('a code already used (40078, e.g. after a restart) is logged, not retried, not thrown', async () => {
    const { authCode } = await sim.authorize();
    const first = harness(sim);
    assert.equal(await first.authorizer.handle(authCode), 'added');
    const later = harness(sim); // a new process: it has not seen the code
    assert.equal(await later.authorizer.handle(authCode), 'used');
    assert.deepEqual(later.added, []);
    assert.equal(later.logs.filter((l) => /retrying/.test(l.msg)).length, 0);
    assert.ok(later.logs.some((l) => l.level === 'warn' && /40078/.test(l.msg)));
    await first.suite.close();
    await later.suite.close();
  });

  it('a network error is retried, then logged with the attempts; nothing is added and nothing throws', async () => {
    const { authCode } = await sim.authorize();
    const h = harness(sim, { baseUrl: 'http://127.0.0.1:1' }); // nothing listens on port 1
    assert.equal(await h.authorizer.handle(authCode), 'failed');
    assert.equal(h.logs.filter((l) => /retrying/.test(l.msg)).length, 2);
    const last = h.logs.at(-1)!;
    assert.equal(last.level, 'error');
    assert.equal(last.fields.attempts, 3);
    assert.deepEqual(h.added, []);
    await h.suite.close();
    // The code was never spent: the service can still exchange it once the network is back.
    const back = harness(sim);
    assert.equal(await back.authorizer.handle(authCode), 'added');
    await back.suite.close();
  });

  it('without a key the code is not exchanged (it could not be stored safely)', async () => {
    const { authCode } = await sim.authorize();
    const h = harness(sim, { seal: undefined });
    assert.equal(await h.authorizer.handle(authCode), 'no-key');
    assert.ok(h.logs.some((l) => l.level === 'error' && /permanentCodeKey/.test(l.msg)));
    const withKey = harness(sim);
    assert.equal(await withKey.authorizer.handle(authCode), 'added');
    await h.suite.close();
    await withKey.suite.close();
  });

  it('a database that refuses the row: the corp still syncs until restart, and the error says so', async () => {
    const { corpId, authCode } = await sim.authorize();
    const h = harness(sim, { failStore: true });
    assert.equal(await h.authorizer.handle(authCode), 'added');
    assert.deepEqual(h.added, [corpId]);
    assert.ok(h.logs.some((l) => l.level === 'error' && /could not be stored/.test(l.msg)));
    assert.ok(!JSON.stringify(h.logs).includes(sim.corp(corpId)!.suite.permanentCode));
    await h.suite.close();
  });
});
