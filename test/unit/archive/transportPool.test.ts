// The sync thread's transports outlive a run: the next run takes the idle one (and its keep-alive
// connection); runs side by side get their own; a burst leaves at most MAX_IDLE_PER_ROUTE behind.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_IDLE_PER_ROUTE, TransportPool } from '../../../src/core/archive/transportPool';
import { HttpTransport } from '../../../src/core/wecom/transport';

class CountingTransport extends HttpTransport {
  closings = 0;
  override async close(): Promise<void> {
    this.closings++;
    await super.close();
  }
}

describe('TransportPool', () => {
  it('a run after another takes its transport; runs side by side get one each; routes do not mix', () => {
    const made: CountingTransport[] = [];
    const pool = new TransportPool(() => {
      const t = new CountingTransport();
      made.push(t);
      return t;
    });
    const a = pool.take();
    const b = pool.take();
    assert.notEqual(a.transport, b.transport, 'two runs at once');
    a.release();
    a.release(); // idempotent
    assert.equal(pool.size, 1);
    assert.equal(pool.take().transport, a.transport, 'the next run reuses it');
    const proxied = pool.take({ url: 'http://127.0.0.1:3128' });
    assert.notEqual(proxied.transport, a.transport);
    assert.notEqual(proxied.transport, b.transport);
    assert.equal(made.length, 3);
  });

  it('keeps at most MAX_IDLE_PER_ROUTE idle and closes the rest', () => {
    const made: CountingTransport[] = [];
    const pool = new TransportPool(() => {
      const t = new CountingTransport();
      made.push(t);
      return t;
    });
    const leases = Array.from({ length: MAX_IDLE_PER_ROUTE + 2 }, () => pool.take());
    for (const l of leases) l.release();
    assert.equal(pool.size, MAX_IDLE_PER_ROUTE);
    assert.equal(made.filter((t) => t.closings > 0).length, 2);
  });
});
