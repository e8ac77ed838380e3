// encrypted_secret_key: decryptable with the private key of its public_key_ver; set_public_key rules.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RunningSimulator, startSimulator } from '../../../src/core/simulator';
import { api, post, rsaKeyPair, rsaPkcs1Decrypt, sync } from './helpers';

let sim: RunningSimulator;
let token: string;
/** The provider's own key pair for set_public_key (one per file: generation is slow). */
let provider: { publicKey: string; privateKey: string };

before(async () => {
  sim = await startSimulator({ seed: 51, messages: 3000 });
  token = sim.mintCallbackToken();
  provider = rsaKeyPair();
});
after(() => sim.close());

describe('keys', () => {
  it('generates a default key pair (version 1) and encrypts every secret under it', async () => {
    const pem = sim.privateKeyPem();
    assert.ok(pem?.includes('PRIVATE KEY'));
    const r = await sync(sim, { token, limit: 300 });
    const secrets = new Set<string>();
    for (const m of r.msg_list) {
      assert.equal(m.service_encrypt_info.public_key_ver, 1);
      const secret = rsaPkcs1Decrypt(pem!, m.service_encrypt_info.encrypted_secret_key);
      assert.equal(secret, sim.secretOf(m.msgid)!.secret);
      assert.match(secret, /^[A-Za-z0-9]{32}$/);
      secrets.add(secret);
    }
    assert.ok(secrets.size > 10, 'secrets vary between messages');
  });

  it('set_public_key: refuses bad PEM and non-growing versions, naming the parameter', async () => {
    const { publicKey } = provider;
    const url = api(sim, 'set_public_key');
    const bad = await post(url, { public_key: 'not a key', public_key_ver: 2 });
    assert.equal(bad.body.errcode, 40058);
    assert.match(bad.body.errmsg as string, /public_key\b/);
    const garbled = await post(url, { public_key: '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n', public_key_ver: 2 });
    assert.equal(garbled.body.errcode, 40058);
    for (const ver of [1, 0, 1.5, '2']) {
      const r = await post(url, { public_key: publicKey, public_key_ver: ver });
      assert.equal(r.body.errcode, 40058, `version ${ver}`);
      assert.match(r.body.errmsg as string, /public_key_ver/);
    }
  });

  it('rotates: new messages use the new key and version, old ones keep theirs', async () => {
    const { publicKey, privateKey } = provider;
    const old = await sync(sim, { token, limit: 5 });
    const ok = await post(api(sim, 'set_public_key'), { public_key: publicKey, public_key_ver: 5 });
    assert.equal(ok.body.errcode, 0);
    assert.equal(sim.publicKeyVersion(), 5);
    const [fresh] = sim.addMessages(1);
    const m = sim.message(fresh!)!;
    assert.equal(m.service_encrypt_info.public_key_ver, 5);
    assert.equal(rsaPkcs1Decrypt(privateKey, m.service_encrypt_info.encrypted_secret_key), sim.secretOf(fresh!)!.secret);
    const again = await sync(sim, { token, limit: 5 });
    assert.deepEqual(again.msg_list, old.msg_list, 'existing messages are unchanged');
    // The version only grows.
    assert.equal((await post(api(sim, 'set_public_key'), { public_key: publicKey, public_key_ver: 5 })).body.errcode, 40058);
    assert.equal((await post(api(sim, 'set_public_key'), { public_key: publicKey, public_key_ver: 6 })).body.errcode, 0);
  });

  it('serves the generated private key on the loopback control endpoint', async () => {
    const r = await fetch(`${sim.url}/_sim/private-key?version=1`);
    assert.equal(await r.text(), sim.privateKeyPem());
    assert.equal((await fetch(`${sim.url}/_sim/private-key?version=5`)).status, 404);
  });
});
