/** The service's config: every problem named with its path and rule; secrets only by reference. */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { checkConfig, checkSecrets, loadConfig, readSecret } from '../../../src/server/config';
import { JsonLog } from '../../../src/server/service';
import { tempDir } from '../archive/helpers';

const good = {
  database: { url: 'postgres://archive@db.internal:5432/archive', passwordEnv: 'ARCHIVE_DB_PASSWORD' },
  listen: { host: '0.0.0.0', port: 9090 },
  concurrency: 8,
  suite: { suiteId: 'wwsuite', suiteSecretEnv: 'SUITE_SECRET', suiteTicketFile: '/run/wecom/ticket' },
  corps: [
    { corpId: 'wx1', permanentCodeEnv: 'PC_WX1' },
    { corpId: 'wx2', tokenService: { url: 'https://tokens.internal/wx2', bearerFile: '/run/wecom/bearer' } },
  ],
};

describe('server config', () => {
  it('accepts a complete config and fills the defaults', () => {
    const { config, problems } = checkConfig(good);
    assert.deepEqual(problems, []);
    assert.equal(config?.intervalSeconds, 300);
    assert.equal(config?.leaseTtlSeconds, 30);
    assert.equal(config?.pageSize, 1000);
    assert.deepEqual(config?.listen, { host: '0.0.0.0', port: 9090 });
    assert.deepEqual(config?.corps[1]?.tokenService, { url: 'https://tokens.internal/wx2', bearer: { file: '/run/wecom/bearer' } });
  });

  it('names every problem at once, with its path and the rule it breaks', () => {
    const { config, problems } = checkConfig({
      database: { url: 'postgres://archive:hunter2@db/archive' },
      concurrency: 0,
      intervalSeconds: 'often',
      suite: { suiteId: 'wwsuite', suiteSecret: 'plain-secret', suiteTicketEnv: 'T' },
      corps: [{ corpId: 'wx1', permanentCode: 'pc' }, { corpId: 'wx1', permanentCodeEnv: 'A', tokenService: { url: 'ftp://x' } }, {}],
      extra: true,
    });
    assert.equal(config, undefined);
    const text = problems.join('\n');
    for (const want of [
      'database.url: holds a password',
      '.concurrency: must be an integer from 1 to 256',
      '.intervalSeconds: must be an integer from 1 to 86400',
      'suite.suiteSecret: secrets may not be written in the config',
      'suite.suiteSecretEnv: is required',
      'corps[0].permanentCode: secrets may not be written in the config',
      'corps[1].corpId: wx1 is listed twice',
      'corps[1].tokenService.url: must be a https: or http: URL',
      'corps[1]: give permanentCodeEnv/File (suite chain) or tokenService, not both',
      'corps[2].corpId: is required',
      '.extra: unknown setting',
    ]) {
      assert.ok(text.includes(want), `${want}\n--- got:\n${text}`);
    }
    assert.ok(!text.includes('hunter2') && !text.includes('plain-secret'), 'the problems never repeat a secret');
    assert.deepEqual(checkConfig([]).problems, ['(root): must be a JSON object']);
  });

  it('reads secrets from variables and files when asked, and says which one is missing', () => {
    const dir = tempDir('config-');
    const ticket = join(dir, 'ticket');
    writeFileSync(ticket, 'the-ticket\n');
    assert.equal(readSecret({ file: ticket }), 'the-ticket');
    assert.equal(readSecret({ env: 'X' }, { X: 'value' }), 'value');
    const { config } = checkConfig({ ...good, suite: { ...good.suite, suiteTicketFile: ticket } });
    assert.deepEqual(checkSecrets(config!, { SUITE_SECRET: 's', PC_WX1: 'p' }), [
      'database.password: environment variable ARCHIVE_DB_PASSWORD is not set',
      'corps[1].tokenService.bearer: secret file /run/wecom/bearer cannot be read (ENOENT)',
    ]);
    const file = join(dir, 'server.json');
    writeFileSync(file, '{"database": ');
    assert.match(loadConfig(file).problems[0]!, /is not JSON/);
    assert.match(loadConfig(join(dir, 'none.json')).problems[0]!, /cannot be read \(ENOENT\)/);
  });

  it('create_auth: the permanent code key by reference only, at least 32 characters; corps may then be left out', () => {
    const withCallbacks = {
      ...good,
      suite: { ...good.suite, permanentCodeKeyEnv: 'PC_KEY' },
      callback: { tokenEnv: 'CB_TOKEN', encodingAesKeyEnv: 'CB_KEY' },
    };
    const { corps: _corps, ...noCorps } = withCallbacks;
    const ok = checkConfig(noCorps);
    assert.deepEqual(ok.problems, []);
    assert.deepEqual(ok.config?.corps, []);
    assert.deepEqual(ok.config?.suite?.permanentCodeKey, { env: 'PC_KEY' });
    assert.match(checkConfig({ ...good, suite: { ...good.suite, permanentCodeKey: 'x'.repeat(40) } }).problems.join('\n'), /suite\.permanentCodeKey: secrets may not be written/);
    const { corps: _c, ...noCorpsNoKey } = good;
    assert.match(checkConfig(noCorpsNoKey).problems.join('\n'), /corps: is required/);
    const env = { ARCHIVE_DB_PASSWORD: 'p', SUITE_SECRET: 's', PC_WX1: 'c', CB_TOKEN: 't', CB_KEY: 'a'.repeat(43), PC_KEY: 'short' };
    assert.match(checkSecrets(ok.config!, env).join('\n'), /suite\.permanentCodeKey: must be at least 32 characters/);
  });

  it('JSON logs redact every secret in use and tokens in URLs', () => {
    const lines: string[] = [];
    const log = new JsonLog((l) => lines.push(l));
    log.secrets.add('permanent-code-123456');
    log.log('error', 'failed with permanent-code-123456', { url: 'https://x/cgi-bin/chatdata/sync_msg?access_token=abcdef123456', n: 3 });
    const entry = JSON.parse(lines[0]!) as Record<string, unknown>;
    assert.equal(entry.msg, 'failed with ***');
    assert.equal(entry.url, 'https://x/cgi-bin/chatdata/sync_msg?access_token=***');
    assert.equal(entry.n, 3);
    assert.equal(entry.level, 'error');
  });
});
