/**
 * `node dist/server.js --config server.json` — the archive service (service.ts).
 *   --check-config     check the config and its secrets (env vars set, files readable), say exactly
 *                      what is wrong, exit 0 or 2; connects to nothing
 *   --demo             no config: the simulator in this process (--corps N, --messages N), pushing
 *                      its callbacks here, the database in WECOM_PG_URL or --database (npm run
 *                      server gives a throwaway one), and the team API with a key printed for VS Code
 *   --listen host:port overrides listen
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { workerData } from 'node:worker_threads';
import { isPgWriterInit, runPgWriter } from '../core/archive/pg/writerThread';
import { startSimulator } from '../core/simulator/index';
import { checkSecrets, loadConfig, type ServerConfig } from './config';
import { ArchiveService } from './service';
import { newApiKey } from './team/apiKeys';

interface Args {
  config?: string;
  checkConfig: boolean;
  demo: boolean;
  corps: number;
  messages: number;
  database?: string;
  listen?: string;
}

const USAGE = `usage: wecom-archive-server --config server.json [--check-config] [--listen host:port]
       wecom-archive-server --demo [--corps N] [--messages N] [--database postgres://…] [--listen host:port]`;

function parseArgs(argv: string[]): Args {
  const args: Args = { checkConfig: false, demo: false, corps: 3, messages: 20_000 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value\n${USAGE}`);
      return v;
    };
    const count = (): number => {
      const v = Number(value());
      if (!Number.isInteger(v) || v < 1) throw new Error(`${a} must be a positive integer`);
      return v;
    };
    if (a === '--config') args.config = value();
    else if (a === '--check-config') args.checkConfig = true;
    else if (a === '--demo') args.demo = true;
    else if (a === '--corps') args.corps = count();
    else if (a === '--messages') args.messages = count();
    else if (a === '--database') args.database = value();
    else if (a === '--listen') args.listen = value();
    else if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown option ${a}\n${USAGE}`);
  }
  return args;
}

function parseListen(listen: string | undefined): ServerConfig['listen'] | undefined {
  if (!listen) return undefined;
  const at = listen.lastIndexOf(':');
  const port = Number(listen.slice(at + 1));
  if (at < 0 || !Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--listen must be host:port, got ${listen}`);
  return { host: listen.slice(0, at) || '127.0.0.1', port };
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  let config: ServerConfig;
  let env: NodeJS.ProcessEnv = process.env;
  let closeDemo: (() => Promise<void>) | undefined;
  let demoKey: string | undefined;
  if (args.demo) {
    const database = args.database ?? process.env.WECOM_PG_URL;
    if (!database) throw new Error('--demo needs a database: --database postgres://… or WECOM_PG_URL (npm run server starts a throwaway one)');
    const listen = parseListen(args.listen) ?? { host: '127.0.0.1', port: 8080 };
    // WeCom's side of team mode too: the simulator pushes signed, encrypted callbacks to this
    // service, and new messages keep arriving, so an operator's VS Code shows them live.
    const callback = { token: randomBytes(16).toString('hex'), encodingAesKey: randomBytes(32).toString('base64').slice(0, 43) };
    const sim = await startSimulator({
      corps: args.corps,
      messages: args.messages,
      ratePerMinute: 6,
      rateLimits: { noTokenPerMinute: 1_000_000 },
      callbacks: { url: `http://${listen.host}:${listen.port}/wecom/callback`, ...callback, minIntervalSeconds: 15, ticketPeriodSeconds: 600 },
    });
    closeDemo = () => sim.close();
    // The demo's secrets travel like real ones: through variables, never through the config.
    env = { ...process.env, DEMO_SUITE_SECRET: sim.suite.suiteSecret, DEMO_SUITE_TICKET: sim.suite.suiteTicket, DEMO_CB_TOKEN: callback.token, DEMO_CB_KEY: callback.encodingAesKey };
    sim.corps.forEach((c, i) => {
      env[`DEMO_PERMANENT_CODE_${i}`] = c.suite.permanentCode;
    });
    demoKey = newApiKey();
    config = {
      database: { url: database },
      listen,
      concurrency: 4,
      intervalSeconds: 60,
      leaseTtlSeconds: 30,
      pageSize: 1000,
      baseUrl: sim.url,
      suite: { suiteId: sim.suite.suiteId, suiteSecret: { env: 'DEMO_SUITE_SECRET' }, suiteTicket: { env: 'DEMO_SUITE_TICKET' } },
      corps: sim.corps.map((c, i) => ({ corpId: c.corpId, permanentCode: { env: `DEMO_PERMANENT_CODE_${i}` } })),
      callback: { path: '/wecom/callback', token: { env: 'DEMO_CB_TOKEN' }, encodingAesKey: { env: 'DEMO_CB_KEY' } },
      team: {
        auditLog: join(mkdtempSync(join(tmpdir(), 'wecom-archive-demo-')), 'audit.jsonl'),
        keys: [{ user: 'demo', sha256: createHash('sha256').update(demoKey).digest('hex'), corps: ['*'], admin: true }],
      },
    };
    console.error(`demo: simulator ${sim.url} with ${sim.corps.length} corps`);
  } else {
    if (!args.config) throw new Error(`--config is required\n${USAGE}`);
    const loaded = loadConfig(args.config);
    const problems = loaded.config ? [...loaded.problems, ...checkSecrets(loaded.config)] : loaded.problems;
    if (problems.length > 0 || !loaded.config) {
      console.error(`${args.config}: ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${problems.map((p) => `  ${p}`).join('\n')}`);
      return 2;
    }
    config = loaded.config;
    if (args.checkConfig) {
      console.log(`${args.config}: OK (${config.corps.length} corp${config.corps.length === 1 ? '' : 's'}, database ${new URL(config.database.url).host})`);
      return 0;
    }
  }
  config.listen = parseListen(args.listen) ?? config.listen;
  // This bundle is also the writer threads' entry (see the end of this file).
  const service = new ArchiveService(config, { env, writerEntry: __filename });
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    service.log.log('info', 'signal', { signal });
    // The runs commit and release within a second or two; past 4.5 s, exit anyway (the 5 s promise).
    setTimeout(() => process.exit(1), 4500).unref();
    void service
      .stop()
      .then(() => closeDemo?.())
      .then(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  await service.start();
  if (args.demo) {
    const at = `http://${service.address?.host}:${service.address?.port}`;
    console.error(`demo: metrics at ${at}/metrics`);
    // A key of this throwaway demo only, shown so that it can be pasted into VS Code.
    console.error(`demo: in VS Code, WeCom Archive: Add Profile… → Team archive service → URL ${at}, API key ${demoKey}`);
  }
  return -1; // keeps running
}

if (isPgWriterInit(workerData)) {
  runPgWriter();
} else {
  main().then(
    (code) => {
      if (code >= 0) process.exit(code);
    },
    (error: unknown) => {
      console.error(`wecom-archive-server: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
