import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RunningSimulator, startSimulator } from '../../../src/core/simulator';

describe('the simulator\'s stand-in viewer page (demo mode\'s "Open in viewer")', () => {
  let sim: RunningSimulator;
  before(async () => {
    sim = await startSimulator({ messages: 200 });
  });
  after(() => sim.close());

  it('shows a message\'s content as escaped text, under a CSP that allows no script', async () => {
    const [msgid] = sim.addMessages(1, { msgtype: 1, content: '<script>window.x=1</script> 合同 "q" & more' });
    assert.ok(msgid);
    const res = await fetch(`${sim.url}/_sim/viewer?msgid=${encodeURIComponent(msgid)}`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    assert.ok(!(res.headers.get('content-security-policy') ?? '').includes('script-src'));
    const html = await res.text();
    assert.ok(html.includes(msgid));
    assert.ok(html.includes('&#60;script&#62;window.x=1&#60;/script&#62; 合同 &#34;q&#34; &#38; more'));
    assert.ok(!html.includes('<script>window.x'));
  });

  it('answers 404 for an unknown msgid, with the id escaped', async () => {
    const res = await fetch(`${sim.url}/_sim/viewer?msgid=${encodeURIComponent('<b>nope</b>')}`);
    assert.equal(res.status, 404);
    assert.ok((await res.text()).includes('&#60;b&#62;nope&#60;/b&#62;'));
  });
});
