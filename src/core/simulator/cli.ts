// `npm run simulator -- --port 0 --seed 7 --messages 20000`: runs the simulator until SIGTERM or
// SIGINT. The first stdout line is one JSON object with the URL and credentials; nothing is
// written to disk (the generated private key is served at GET /_sim/private-key on loopback).
import { parseArgs } from 'node:util';
import { startSimulator } from './server';

const HELP = `WeCom chat-archive API simulator (loopback only)

Usage: simulator [options]

  --port <n>          port on 127.0.0.1 (default 0: any free port)
  --host <addr>       bind address; only 127.0.0.1 / localhost is accepted
  --seed <n>          data seed (default 7)
  --messages <n>      messages generated at start (default 20000)
  --days <n>          days the history spreads over (default 8)
  --rate <n>          new messages per minute while running (default 0)
  --token-ttl <s>     corp access-token lifetime in seconds (default 7200)
  --no-token-limit <n>  sync_msg calls per minute without a callback token (default 10)
  --max-reply <n>     sync_msg limit above this replies 301058 (default: none)
  --token-service-secret <s>  require "Authorization: Bearer <s>" on /_sim/token-service
                      and /_sim/callback-token
  --corps <n>         corps served by this process (default 1); GET /_sim/corps lists them,
                      control routes take ?corpid=
  --latency-ms <n>    added to every API reply (default 0)
  --latency-per-message-ms <n>  added per message in a sync_msg reply (default 0)
  --callback-url <u>  push suite callbacks (suite_ticket, create_auth, cancel_auth,
                      conversation_new_message) to this loopback URL, signed and encrypted
  --callback-token <s>          the callback Token (with --callback-url)
  --callback-aes-key <s>        the 43-character EncodingAESKey (with --callback-url)
  --callback-interval-s <n>     seconds between conversation_new_message pushes per corp (default 15)
  --ticket-period-s <n>         seconds between suite_ticket pushes (default 600)
  --help              show this help

First stdout line: {"url","port","access_token","token","corpid","seed","messages",
"public_key_ver","suite_id","suite_secret","suite_ticket","auth_corpid","permanent_code",
"token_service_url","callback_token_url","private_key_url"} of the first corp.`;

function intOption(value: string | undefined, name: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number >= ${min}`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      seed: { type: 'string' },
      messages: { type: 'string' },
      days: { type: 'string' },
      rate: { type: 'string' },
      'token-ttl': { type: 'string' },
      'no-token-limit': { type: 'string' },
      'max-reply': { type: 'string' },
      'token-service-secret': { type: 'string' },
      corps: { type: 'string' },
      'latency-ms': { type: 'string' },
      'latency-per-message-ms': { type: 'string' },
      'callback-url': { type: 'string' },
      'callback-token': { type: 'string' },
      'callback-aes-key': { type: 'string' },
      'callback-interval-s': { type: 'string' },
      'ticket-period-s': { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  if (values.host !== undefined && values.host !== '127.0.0.1' && values.host !== 'localhost') {
    throw new Error(`refusing to bind ${values.host}: the simulator listens on 127.0.0.1 only`);
  }
  const noTokenPerMinute = intOption(values['no-token-limit'], 'no-token-limit', 1);
  const callbackUrl = values['callback-url'];
  if (callbackUrl !== undefined && (!values['callback-token'] || !values['callback-aes-key'])) {
    throw new Error('--callback-url needs --callback-token and --callback-aes-key');
  }
  const callbacks =
    callbackUrl === undefined
      ? undefined
      : {
          url: callbackUrl,
          token: values['callback-token']!,
          encodingAesKey: values['callback-aes-key']!,
          minIntervalSeconds: intOption(values['callback-interval-s'], 'callback-interval-s', 0),
          ticketPeriodSeconds: intOption(values['ticket-period-s'], 'ticket-period-s', 0),
        };
  const sim = await startSimulator({
    port: intOption(values.port, 'port', 0),
    seed: intOption(values.seed, 'seed', 0),
    messages: intOption(values.messages, 'messages', 0),
    days: intOption(values.days, 'days', 0.01),
    ratePerMinute: intOption(values.rate, 'rate', 0),
    accessTokenTtl: intOption(values['token-ttl'], 'token-ttl', 1),
    maxReplyMessages: intOption(values['max-reply'], 'max-reply', 1),
    tokenServiceSecret: values['token-service-secret'],
    rateLimits: noTokenPerMinute === undefined ? undefined : { noTokenPerMinute },
    corps: intOption(values.corps, 'corps', 1),
    callbacks,
    latency: { fixedMs: intOption(values['latency-ms'], 'latency-ms', 0), perMessageMs: intOption(values['latency-per-message-ms'], 'latency-per-message-ms', 0) },
  });
  const first = {
    ...sim.info(),
    access_token: sim.accessToken,
    token: sim.mintCallbackToken(),
    private_key_url: sim.privateKeyPem() === undefined ? undefined : `${sim.url}/_sim/private-key?version=1`,
  };
  process.stdout.write(`${JSON.stringify(first)}\n`);
  let closing = false;
  const stop = (): void => {
    if (closing) return;
    closing = true;
    sim.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`simulator: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(2);
});
