/**
 * wecom-archive-server: syncs every configured corp into PostgreSQL with the core's SyncEngine,
 * day and night, at most `concurrency` corps at once, each at least every `intervalSeconds`.
 *
 * Replicas: any number of processes may run on one database. A corp is synced by whoever holds
 * its lease row (the engine takes it, renews it every TTL/3 in its own commit, and a page is only
 * committed under it); the others get SyncBusyError and try again when that lease would expire,
 * so a dead replica's corps are taken over within one TTL. The killed replica's open transaction
 * is rolled back by PostgreSQL when its connection drops: its uncommitted pages are fetched again.
 * Each commit NOTIFYs every replica (storedListener.ts), so the team API's `stored` events of any
 * replica follow every replica's commits.
 *
 * Graceful stop (SIGTERM): every run is aborted; the engine commits the pages it already
 * stored in the open group, releases its lease and returns; then the process exits.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Pool, type ClientConfig } from 'pg';
import { PgArchive } from '../core/archive/pg/archive';
import { type PgWriter, PgWriterPool } from '../core/archive/pg/writerPool';
import { migratePg } from '../core/archive/pg/schema';
import { toPgText } from '../core/archive/pg/text';
import { RETENTION_SECONDS } from '../core/archive/gaps';
import { SyncBusyError } from '../core/archive/errors';
import { SyncEngine } from '../core/archive/sync';
import { WeComClient } from '../core/wecom/client';
import { CancelledError, WeComApiError } from '../core/wecom/errors';
import type { Logger } from '../core/wecom/logger';
import { redactSecrets } from '../core/wecom/redact';
import { SuiteAccessTokens, SuiteTokenSource, type TokenSource, TokenServiceSource } from '../core/wecom/tokens';
import { type CorpConfig, readSecret, type ServerConfig } from './config';
import { Counter, gauge, Histogram } from './metrics';
import type { Archive } from '../core/archive/archive';
import type { CallbackEvent } from '../core/wecom/callbackEvents';
import { CallbackReceiver, MAX_CALLBACK_BODY_BYTES } from '../core/wecom/callbackReceiver';
import { HashedKeyStore } from './team/apiKeys';
import { FileAuditLog } from './team/auditLog';
import { TeamApi } from './team/teamApi';
import { ensureAuthorizedCorpsTable, listAuthorized, saveAuthorized, saveRevoked } from './auth/authorizedCorps';
import { CorpAuthorizer } from './auth/authorizer';
import { CodeSeal, CodeSealError } from './auth/codeSeal';
import { readBodyUpTo } from './readBody';
import { StoredListener } from './storedListener';

/** conversation_new_message's token lifts sync_msg's strict limit for 10 minutes (docs/wecom-api.md §8). */
const CALLBACK_TOKEN_MS = 10 * 60_000;
/** How often a replica looks for corps another replica added (create_auth) or revoked. */
const AUTHORIZED_RELOAD_MS = 30_000;
/**
 * A PgArchive is one connection whose queries run one after another: with one per corp, 50 team
 * clients queued behind each other (bench team.pg). A few, taken in turn, let PostgreSQL answer
 * them side by side.
 */
const READERS_PER_CORP = 4;

export type Level = 'debug' | 'info' | 'warn' | 'error';

/** JSON lines on stdout; every string value passes the redaction of the secrets in use. */
export class JsonLog {
  readonly secrets = new Set<string>();
  constructor(private readonly write: (line: string) => void = (l) => process.stdout.write(`${l}\n`)) {}

  log(level: Level, msg: string, fields: Record<string, unknown> = {}): void {
    const clean: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(fields)) clean[k] = typeof v === 'string' ? this.redact(v) : v;
    this.write(JSON.stringify({ time: new Date().toISOString(), level, msg: this.redact(msg), ...clean }));
  }

  redact(text: string): string {
    return redactSecrets(text, this.secrets);
  }

  /** The wecom layer's Logger, tagged with a corp. */
  forCorp(corp: string): Logger {
    return {
      debug: () => undefined,
      info: (m) => this.log('info', m, { corp }),
      warn: (m) => this.log('warn', m, { corp }),
      error: (m) => this.log('error', m, { corp }),
    };
  }
}

interface CorpState {
  cfg: CorpConfig;
  nextAt: number;
  backoffMs: number;
  tokens?: TokenSource & { close?(): Promise<void> };
  run?: { abort: AbortController; done: Promise<void> };
  /** The latest conversation_new_message token and until when it is good (ms). */
  callbackToken?: { token: string; until: number };
  /** A push arrived while a run was going: run once more at once when it ends. */
  again?: boolean;
  /** cancel_auth: the corp left; its archive is kept, nothing more is synced. */
  revoked?: boolean;
  /** When this replica learnt of the revocation (ms): an older authorization does not undo it. */
  revokedAt?: number;
  /** The permanent code from create_auth (authorized_corps); it wins over the config's. */
  storedCode?: string;
}

export interface ServiceOptions {
  /** Identifies this replica in lease rows; default host:pid:random. */
  owner?: string;
  env?: NodeJS.ProcessEnv;
  log?: JsonLog;
  now?: () => number;
  /**
   * A bundle that runs the PostgreSQL writer thread (writerThread.ts): the service's own
   * (main.ts passes it). Without it, pages are written on this thread, one step after reading.
   */
  writerEntry?: string;
}

const PAGE_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export class ArchiveService {
  readonly owner: string;
  readonly log: JsonLog;
  private readonly env: NodeJS.ProcessEnv;
  private readonly now: () => number;
  private readonly corps: CorpState[];
  private pool: Pool | undefined;
  private readonly writers: PgWriterPool | undefined;
  private http: Server | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopping: Promise<void> | undefined;
  private ready = false;
  private readonly errors = new Counter('wecom_archive_sync_errors_total', 'Failed sync runs by WeCom errcode (or error kind when WeCom gave none).');
  private readonly runs = new Counter('wecom_archive_sync_runs_total', 'Sync runs by result (ok, busy, error, cancelled).');
  private readonly callbacks = new Counter('wecom_archive_callbacks_total', 'Accepted WeCom callbacks by InfoType.');
  private readonly authorizations = new Counter('wecom_archive_authorizations_total', 'create_auth callbacks by outcome (added, duplicate, used, failed, no-key).');
  private readonly pages = new Histogram('wecom_archive_page_latency_seconds', 'Time of one sync_msg page request, retries included.', PAGE_BUCKETS);
  /** Where the service listens, once started. */
  address: { host: string; port: number } | undefined;
  private team: TeamApi | undefined;
  /** Every replica's `stored` notices, for the team API's event streams. */
  private listener: StoredListener | undefined;
  private receiver: CallbackReceiver | undefined;
  /** The suite_ticket WeCom pushed last (the configured one until then). */
  private pushedTicket: string | undefined;
  /** Read-only archives the team API answers from, READERS_PER_CORP per corp, opened on first use. */
  private readonly readers = new Map<string, Array<Promise<PgArchive> | undefined>>();
  private readerTurn = 0;
  private authorizer: CorpAuthorizer | undefined;
  private suiteTokens: SuiteAccessTokens | undefined;
  private seal: CodeSeal | undefined;
  private reloadTimer: NodeJS.Timeout | undefined;
  /** Stored corps whose code did not open, already logged (the reload would repeat it). */
  private readonly unopened = new Set<string>();

  constructor(
    private readonly config: ServerConfig,
    opts: ServiceOptions = {},
  ) {
    this.owner = opts.owner ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
    this.env = opts.env ?? process.env;
    this.log = opts.log ?? new JsonLog();
    this.now = opts.now ?? Date.now;
    this.corps = config.corps.map((cfg) => ({ cfg, nextAt: 0, backoffMs: 0 }));
    this.writers = opts.writerEntry ? new PgWriterPool(opts.writerEntry) : undefined;
  }

  private dbConfig(): ClientConfig {
    const password = this.config.database.password ? readSecret(this.config.database.password, this.env) : undefined;
    if (password) this.log.secrets.add(password);
    // Named per process, so an operator (and the replica tests) can tell the replicas' sessions apart.
    return { connectionString: this.config.database.url, application_name: `wecom-archive-server ${process.pid}`, ...(password ? { password } : {}) };
  }

  /** Migrates, listens, and starts syncing. */
  async start(): Promise<void> {
    const db = this.dbConfig();
    this.writers?.warm(this.config.concurrency);
    this.pool = new Pool({ ...db, max: 2 });
    this.pool.on('error', (e) => this.log.log('warn', 'database connection error (metrics pool)', { error: e.message }));
    const client = await this.pool.connect();
    try {
      const before = await migratePg(client);
      this.log.log('info', 'database ready', { schemaBefore: before });
    } finally {
      client.release();
    }
    await ensureAuthorizedCorpsTable(this.pool);
    const key = this.config.suite?.permanentCodeKey ? readSecret(this.config.suite.permanentCodeKey, this.env) : undefined;
    if (key) {
      this.log.secrets.add(key);
      this.seal = new CodeSeal(key);
    }
    await this.loadAuthorized();
    this.mountTeamAndCallbacks();
    await this.listenForStored(db);
    await this.listen();
    this.ready = true;
    this.log.log('info', 'archive service started', { owner: this.owner, corps: this.corps.length, concurrency: this.config.concurrency, intervalSeconds: this.config.intervalSeconds });
    // 50 ms: a corp whose holder died is looked at again within 50 ms of its lease running out.
    this.timer = setInterval(() => this.tick(), 50);
    this.reloadTimer = setInterval(() => {
      this.loadAuthorized().catch((e: unknown) => this.log.log('warn', 'reading the authorized corps failed', { error: e instanceof Error ? e.message : String(e) }));
    }, AUTHORIZED_RELOAD_MS);
    this.tick();
  }

  /** The corps of authorized_corps: added (create_auth, here or on another replica) or revoked. */
  private async loadAuthorized(): Promise<void> {
    for (const row of await listAuthorized(this.pool!)) {
      if (row.revokedAt !== null) {
        const c = this.corps.find((x) => x.cfg.corpId === row.corpId);
        if (c && !c.revoked) this.revoke(c, row.revokedAt);
        continue;
      }
      if (row.sealedCode === null) continue;
      if (!this.seal) {
        if (!this.unopened.has(row.corpId)) this.log.log('error', 'a corp authorized through create_auth is stored, but suite.permanentCodeKeyEnv/File is not set: it is not synced', { corp: row.corpId });
        this.unopened.add(row.corpId);
        continue;
      }
      let code: string;
      try {
        code = this.seal.open(row.corpId, row.sealedCode);
      } catch (error) {
        if (!(error instanceof CodeSealError)) throw error;
        if (!this.unopened.has(row.corpId)) this.log.log('error', 'the stored permanent code of a corp does not open: it is not synced', { corp: row.corpId, error: error.message });
        this.unopened.add(row.corpId);
        continue;
      }
      this.unopened.delete(row.corpId);
      this.authorized(row.corpId, code, row.authorizedAt ?? 0);
    }
  }

  /** A corp with a permanent code from create_auth: added, or re-authorized, and synced now. */
  private authorized(corpId: string, permanentCode: string, authorizedAt: number): void {
    this.log.secrets.add(permanentCode);
    const c = this.corps.find((x) => x.cfg.corpId === corpId);
    if (!c) {
      this.corps.push({ cfg: { corpId }, nextAt: 0, backoffMs: 0, storedCode: permanentCode });
      this.log.log('info', 'corp added from authorized_corps', { corp: corpId });
    } else {
      if (c.revoked && (c.revokedAt ?? 0) > authorizedAt) return;
      const changed = c.storedCode !== permanentCode;
      if (!changed && !c.revoked) return;
      c.storedCode = permanentCode;
      if (changed) this.dropTokens(c);
      c.revoked = false;
      c.backoffMs = 0;
      if (c.run) c.again = true;
      else c.nextAt = 0;
      this.log.log('info', 'corp authorized again: syncing', { corp: corpId });
    }
    this.tick();
  }

  private revoke(c: CorpState, at: number): void {
    c.revoked = true;
    c.revokedAt = at;
    c.run?.abort.abort(new CancelledError());
  }

  /** Its tokens are fetched anew at the next run (the running one, if any, keeps the old until it ends). */
  private dropTokens(c: CorpState): void {
    const old = c.tokens as { close?(): Promise<void> } | undefined;
    c.tokens = undefined;
    void (c.run?.done ?? Promise.resolve()).then(() => old?.close?.()).catch(() => undefined);
  }

  /** The ticket WeCom pushed last; without callbacks, the configured one, read at each refresh. */
  private readonly suiteTicket = (): string => {
    const t = this.pushedTicket ?? readSecret(this.config.suite!.suiteTicket, this.env);
    this.log.secrets.add(t);
    return t;
  };

  private suiteAccess(): SuiteAccessTokens {
    if (this.suiteTokens) return this.suiteTokens;
    const suite = this.config.suite!;
    const suiteSecret = readSecret(suite.suiteSecret, this.env);
    this.log.secrets.add(suiteSecret);
    this.suiteTokens = new SuiteAccessTokens({
      suiteId: suite.suiteId,
      suiteSecret,
      suiteTicket: this.suiteTicket,
      ...(this.config.baseUrl ? { baseUrl: this.config.baseUrl } : {}),
      logger: this.log.forCorp(''),
    });
    return this.suiteTokens;
  }

  private listen(): Promise<void> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(this.log.redact(error instanceof Error ? error.message : String(error)));
      });
    });
    this.http = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.config.listen.port, this.config.listen.host, () => {
        const a = server.address();
        if (a && typeof a === 'object') this.address = { host: a.address, port: a.port };
        this.log.log('info', 'listening', { ...this.address });
        resolve();
      });
    });
  }

  /** The team API and the callback receiver, when the config asks for them. */
  private mountTeamAndCallbacks(): void {
    const { team, callback, suite } = this.config;
    if (team) {
      this.team = new TeamApi({
        keys: new HashedKeyStore(team.keys.map((k) => ({ hash: k.sha256, record: { user: k.user, corps: k.corps, admin: k.admin } }))),
        audit: new FileAuditLog(team.auditLog),
        corps: () => this.corps.map((c) => c.cfg.corpId),
        archive: (corpId) => this.reader(corpId),
        search: async (corpId, request, signal) => {
          const c = this.corps.find((x) => x.cfg.corpId === corpId)!;
          const client = new WeComClient({ tokenSource: this.tokensOf(c), ...(this.config.baseUrl ? { baseUrl: this.config.baseUrl } : {}), logger: this.log.forCorp(corpId) });
          try {
            return await client.searchMsg(request, signal);
          } finally {
            await client.close();
          }
        },
      });
    }
    if (callback && suite) {
      const token = readSecret(callback.token, this.env);
      const encodingAesKey = readSecret(callback.encodingAesKey, this.env);
      this.log.secrets.add(token);
      this.log.secrets.add(encodingAesKey);
      this.receiver = new CallbackReceiver({ token, encodingAesKey, receiverId: suite.suiteId });
      const pool = this.pool!;
      this.authorizer = new CorpAuthorizer({
        suite: () => this.suiteAccess(),
        seal: this.seal,
        store: (row) => saveAuthorized(pool, row, this.now()),
        added: (grant) => this.authorized(grant.corpId, grant.permanentCode, this.now()),
        log: (level, msg, fields) => this.log.log(level, msg, fields),
        secret: (value) => this.log.secrets.add(value),
      });
    }
  }

  /** With a team API: the stored notices of every replica's commits reach its event streams. */
  private async listenForStored(db: ClientConfig): Promise<void> {
    const team = this.team;
    if (!team) return;
    this.listener = new StoredListener({
      config: { ...db, application_name: `${db.application_name} listener` },
      onNotice: (n) => {
        if (n.corpId === undefined) team.refreshAll();
        else team.stored({ corpId: n.corpId, inserted: n.inserted, changedChats: n.changedChats, ...(n.truncated ? { truncated: true } : {}) });
      },
      onResync: () => {
        this.log.log('info', 'listening for stored notices again: event streams told to refresh');
        team.refreshAll();
      },
      onError: (message) => this.log.log('warn', 'the stored-notice connection failed; reconnecting', { error: message }),
    });
    await this.listener.start();
  }

  private reader(corpId: string): Promise<Archive | undefined> | undefined {
    if (!this.corps.some((c) => c.cfg.corpId === corpId)) return undefined;
    let set = this.readers.get(corpId);
    if (!set) {
      set = [];
      this.readers.set(corpId, set);
    }
    const slots = set;
    const i = this.readerTurn++ % READERS_PER_CORP;
    let opened = slots[i];
    if (!opened) {
      const fresh = PgArchive.open(this.dbConfig(), corpId, { migrate: false });
      fresh.catch(() => {
        if (slots[i] === fresh) slots[i] = undefined;
      });
      slots[i] = fresh;
      opened = fresh;
    }
    return opened;
  }

  /** WeCom's push: answered at once (WeCom wants it within 1 s); what it asks is done afterwards. */
  private async receiveCallback(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    // Before the body: a body cut off at its limit ends the request, socket and all.
    const remote = req.socket.remoteAddress ?? '';
    // An oversized body stays oversized, so the receiver refuses it by its rule (body.too_large).
    const body = await readBodyUpTo(req, MAX_CALLBACK_BODY_BYTES);
    const out = this.receiver!.handle({ method: req.method ?? 'GET', query: url.searchParams, body: body.toString('utf8') });
    res.writeHead(out.status, { 'content-type': 'text/plain; charset=utf-8' }).end(out.body);
    if (!out.ok) {
      this.log.log('warn', 'callback refused', { rule: out.rule, remote });
      return;
    }
    if (out.event) {
      const event = out.event;
      setImmediate(() => this.onCallback(event));
    }
  }

  private onCallback(event: CallbackEvent): void {
    const corp = 'corpId' in event ? this.corps.find((c) => c.cfg.corpId === event.corpId) : undefined;
    this.callbacks.inc({ type: event.type === 'other' ? event.infoType : event.type });
    switch (event.type) {
      case 'suite_ticket':
        this.pushedTicket = event.ticket;
        this.log.secrets.add(event.ticket);
        this.log.log('info', 'suite ticket received');
        return;
      case 'conversation_new_message':
        if (!corp) {
          this.log.log('warn', 'new messages for a corp this service does not keep', { corp: event.corpId });
          return;
        }
        this.log.secrets.add(event.token);
        corp.callbackToken = { token: event.token, until: this.now() + CALLBACK_TOKEN_MS };
        // Bursts coalesce: a run now, or one more right after the running one.
        if (corp.run) corp.again = true;
        else corp.nextAt = 0;
        this.log.log('info', 'new messages pushed', { corp: event.corpId });
        this.tick();
        return;
      case 'cancel_auth': {
        const at = this.now();
        if (corp) this.revoke(corp, at);
        // Kept in the database: the other replicas and a restart leave the corp alone too.
        saveRevoked(this.pool!, event.corpId, at).catch((e: unknown) =>
          this.log.log('error', 'the revocation could not be stored: the corp syncs again after a restart', { corp: event.corpId, error: e instanceof Error ? e.message : String(e) }),
        );
        this.log.log('warn', 'authorization cancelled: the corp is no longer synced; its archive is kept', { corp: event.corpId });
        return;
      }
      case 'create_auth':
        if (!this.stopping) void this.authorizer!.handle(event.authCode).then((result) => this.authorizations.inc({ result }));
        return;
      case 'change_auth':
        // The corp changed what it granted: fresh tokens, and a sync now to see what it allows.
        if (corp && !corp.revoked) {
          this.dropTokens(corp);
          if (corp.run) corp.again = true;
          else corp.nextAt = 0;
          this.tick();
        }
        this.log.log('info', 'authorization changed', { corp: event.corpId, known: corp !== undefined });
        return;
      case 'hit_keyword':
        // Its token is for get_hit_msg_list, which this product does not call: recorded (log and
        // metric), never shown.
        this.log.secrets.add(event.token);
        this.log.log('info', 'keyword rule hit', { corp: event.corpId, known: corp !== undefined });
        return;
      case 'other':
        this.log.log('info', 'callback event', { type: event.infoType });
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (this.receiver && url.pathname === this.config.callback?.path) return this.receiveCallback(req, res, url);
    if (this.team?.handle(req, res, url)) return;
    const path = url.pathname;
    if (req.method !== 'GET') {
      res.writeHead(405, { allow: 'GET' }).end();
      return;
    }
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      return;
    }
    if (path === '/readyz') {
      const ok = this.ready && !this.stopping && (await this.databaseAnswers());
      res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'ready\n' : this.stopping ? 'stopping\n' : 'not ready\n');
      return;
    }
    if (path === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(await this.metrics());
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: /healthz, /readyz, /metrics\n');
  }

  private async databaseAnswers(): Promise<boolean> {
    if (!this.pool) return false;
    try {
      await Promise.race([this.pool.query('SELECT 1'), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 1000))]);
      return true;
    } catch {
      return false;
    }
  }

  /** Prometheus text: per-corp series from the database (every replica's work), the rest in process. */
  async metrics(): Promise<string> {
    const ids = this.corps.map((c) => c.cfg.corpId);
    const rows = this.pool
      ? (
          await this.pool.query<{ corp_id: string; last_success: number | null; messages: string }>(
            `SELECT s.corp_id, s.last_success, COALESCE((SELECT sum(c.count) FROM chats c WHERE c.corp_id = s.corp_id), 0) AS messages
             FROM sync_state s WHERE s.corp_id = ANY($1::text[])`,
            [ids.map(toPgText)],
          )
        ).rows
      : [];
    const byCorp = new Map(rows.map((r) => [r.corp_id, r]));
    const nowS = this.now() / 1000;
    const stored: { labels: Record<string, string>; value: number }[] = [];
    const last: typeof stored = [];
    const left: typeof stored = [];
    for (const id of ids) {
      const r = byCorp.get(toPgText(id));
      stored.push({ labels: { corp: id }, value: Number(r?.messages ?? 0) });
      if (r?.last_success != null) {
        last.push({ labels: { corp: id }, value: r.last_success / 1000 });
        left.push({ labels: { corp: id }, value: Math.round(r.last_success / 1000 + RETENTION_SECONDS - nowS) });
      }
    }
    const syncing = this.corps.filter((c) => c.run).length;
    return `${[
      gauge('wecom_archive_messages_stored', 'Messages stored per corp (all replicas).', stored),
      gauge('wecom_archive_last_success_timestamp_seconds', 'Last successful page commit per corp (Unix seconds).', last),
      gauge('wecom_archive_deadline_seconds_left', "Seconds before the corp's 5-day deadline: sync_msg keeps messages 5 days after the last success.", left),
      gauge('wecom_archive_syncing_corps', 'Corps this replica is syncing now.', [{ labels: {}, value: syncing }]),
      this.errors.render(),
      this.runs.render(),
      this.authorizations.render(),
      this.callbacks.render(),
      this.pages.render(),
    ].join('\n')}\n`;
  }

  // ---------------------------------------------------------------- scheduling

  private tick(): void {
    if (this.stopping) return;
    const now = this.now();
    let running = this.corps.filter((c) => c.run).length;
    const due = this.corps.filter((c) => !c.run && !c.revoked && c.nextAt <= now).sort((a, b) => a.nextAt - b.nextAt);
    for (const c of due) {
      if (running >= this.config.concurrency) break;
      running++;
      this.startRun(c);
    }
  }

  private tokensOf(c: CorpState): TokenSource {
    if (c.tokens) return c.tokens;
    const logger = this.log.forCorp(c.cfg.corpId);
    const baseUrl = this.config.baseUrl;
    if (c.storedCode !== undefined || c.cfg.permanentCode) {
      const suite = this.config.suite!;
      const suiteSecret = readSecret(suite.suiteSecret, this.env);
      const permanentCode = c.storedCode ?? readSecret(c.cfg.permanentCode!, this.env);
      this.log.secrets.add(suiteSecret);
      this.log.secrets.add(permanentCode);
      c.tokens = new SuiteTokenSource({
        suiteId: suite.suiteId,
        suiteSecret,
        // The provider's own callback handler may rewrite the configured ticket every 10 minutes.
        suiteTicket: this.suiteTicket,
        authCorpId: c.cfg.corpId,
        permanentCode,
        ...(baseUrl ? { baseUrl } : {}),
        logger,
      });
    } else {
      const ts = c.cfg.tokenService!;
      const bearerSecret = ts.bearer ? readSecret(ts.bearer, this.env) : undefined;
      if (bearerSecret) this.log.secrets.add(bearerSecret);
      c.tokens = new TokenServiceSource({ url: ts.url, ...(bearerSecret ? { bearerSecret } : {}), logger });
    }
    return c.tokens;
  }

  private startRun(c: CorpState): void {
    const abort = new AbortController();
    const done = this.runCorp(c, abort.signal).finally(() => {
      c.run = undefined;
      if (c.again) {
        c.again = false;
        c.nextAt = 0;
      }
      if (!this.stopping) setImmediate(() => this.tick());
    });
    c.run = { abort, done };
  }

  private async runCorp(c: CorpState, signal: AbortSignal): Promise<void> {
    const corp = c.cfg.corpId;
    const interval = this.config.intervalSeconds * 1000;
    const ttl = this.config.leaseTtlSeconds * 1000;
    let archive: PgWriter | undefined;
    let client: WeComClient | undefined;
    try {
      const tokens = this.tokensOf(c);
      // Its commits NOTIFY every replica's event streams (the team API), this one's included.
      archive = this.writers
        ? await this.writers.open(this.dbConfig(), corp, { notify: true })
        : await PgArchive.open(this.dbConfig(), corp, { migrate: false, notify: true });
      client = new WeComClient({ tokenSource: tokens, ...(this.config.baseUrl ? { baseUrl: this.config.baseUrl } : {}), logger: this.log.forCorp(corp) });
      const wecom = client;
      const timed = {
        syncMsg: async (...args: Parameters<WeComClient['syncMsg']>) => {
          const t0 = performance.now();
          try {
            return await wecom.syncMsg(...args);
          } finally {
            this.pages.observe((performance.now() - t0) / 1000);
          }
        },
      };
      const engine = new SyncEngine(archive, timed, {
        owner: this.owner,
        leaseTtlMs: ttl,
        limit: this.config.pageSize,
        clock: { now: this.now },
        callbackToken: () => (c.callbackToken && c.callbackToken.until > this.now() ? c.callbackToken.token : undefined),
      });
      const result = await engine.run({ signal });
      this.runs.inc({ result: 'ok' });
      c.backoffMs = 0;
      c.nextAt = this.now() + interval;
      this.log.log('info', 'corp synced', { corp, inserted: result.inserted, pages: result.pages, durationMs: result.durationMs });
    } catch (error) {
      if (error instanceof SyncBusyError) {
        // Another replica holds it: look again when its lease would run out (a dead one's does).
        this.runs.inc({ result: 'busy' });
        c.nextAt = Math.min(this.now() + interval, Math.max(this.now() + 100, error.until + 50));
        this.log.log('debug', 'corp held by another replica', { corp, holder: error.owner, until: new Date(error.until).toISOString() });
      } else if (error instanceof CancelledError || signal.aborted) {
        this.runs.inc({ result: 'cancelled' });
      } else {
        this.runs.inc({ result: 'error' });
        const errcode = error instanceof WeComApiError ? String(error.errcode) : ((error as { code?: unknown }).code as string | undefined) ?? (error as Error).name ?? 'Error';
        this.errors.inc({ errcode: String(errcode) });
        // Doubling backoff, never longer than the interval: a failing corp is retried well within its deadline.
        c.backoffMs = Math.min(interval, Math.max(1000, c.backoffMs * 2));
        c.nextAt = this.now() + c.backoffMs;
        this.log.log('error', 'corp sync failed', { corp, errcode: String(errcode), error: error instanceof Error ? error.message : String(error), retryInMs: c.backoffMs });
      }
    } finally {
      await client?.close().catch(() => undefined);
      await archive?.close().catch(() => undefined);
    }
  }

  /** Graceful stop: aborts the runs (each commits what it stored and releases its lease), closes. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.log.log('info', 'stopping', { running: this.corps.filter((c) => c.run).length });
      clearInterval(this.timer);
      clearInterval(this.reloadTimer);
      const runs = this.corps.flatMap((c) => (c.run ? [c.run] : []));
      for (const r of runs) r.abort.abort(new CancelledError());
      await Promise.all(runs.map((r) => r.done.catch(() => undefined)));
      const closed = new Promise<void>((resolve) => (this.http ? this.http.close(() => resolve()) : resolve()));
      this.http?.closeAllConnections(); // keep-alive scrapers would hold close() open
      await closed;
      await this.listener?.stop();
      this.team?.close();
      for (const r of [...this.readers.values()].flat()) await r?.then((a) => a.close()).catch(() => undefined);
      for (const c of this.corps) await (c.tokens as { close?(): Promise<void> } | undefined)?.close?.().catch(() => undefined);
      await this.suiteTokens?.close().catch(() => undefined);
      await this.pool?.end().catch(() => undefined);
      await this.writers?.close();
      this.log.log('info', 'stopped');
    })();
    return this.stopping;
  }
}
