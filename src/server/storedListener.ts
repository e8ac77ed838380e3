/**
 * This replica's ear on the database: one connection that LISTENs for the `stored` notices every
 * replica's commits send (storedNotice.ts), this replica's own included, so a client of any
 * replica hears of every page stored, whoever stored it.
 *
 * A dropped connection is opened again (1 s, doubling to 30 s). Notices sent while it was away
 * are lost for good (PostgreSQL keeps none for a session that is gone), so each reconnect is
 * reported (`onResync`): the streams then tell their clients to refresh everything.
 */
import { Client, type ClientConfig, type Notification } from 'pg';
import { decodeNotice, STORED_CHANNEL, type StoredNotice } from '../core/archive/pg/storedNotice';

export interface StoredListenerOptions {
  readonly config: ClientConfig;
  readonly onNotice: (notice: StoredNotice) => void;
  /** Listening again after a failure or a drop: notices may have been missed. */
  readonly onResync: () => void;
  readonly onError?: (message: string) => void;
}

const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 30_000;

export class StoredListener {
  private client: Client | undefined;
  private stopped = false;
  private retryMs = FIRST_RETRY_MS;
  private timer: NodeJS.Timeout | undefined;
  private missed = false;

  constructor(private readonly options: StoredListenerOptions) {}

  /** The first attempt to listen; when it fails, it is retried in the background. */
  start(): Promise<void> {
    return this.connect();
  }

  /** Whether the connection is listening now. */
  get listening(): boolean {
    return this.client !== undefined;
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    // Keepalive: a peer gone without a word (network) is noticed, not waited on forever.
    const client = new Client({ ...this.options.config, keepAlive: true });
    let dropped = false;
    const drop = (error?: unknown): void => {
      if (dropped) return;
      dropped = true;
      if (this.client === client) this.client = undefined;
      this.missed = true;
      client.end().catch(() => undefined);
      if (error !== undefined && !this.stopped) this.options.onError?.(error instanceof Error ? error.message : String(error));
      this.retry();
    };
    client.on('error', drop);
    client.on('end', () => drop());
    client.on('notification', (n: Notification) => {
      if (n.channel !== STORED_CHANNEL || n.payload === undefined) return;
      const notice = decodeNotice(n.payload);
      if (notice) this.options.onNotice(notice);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${STORED_CHANNEL}`);
    } catch (error) {
      drop(error);
      return;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.retryMs = FIRST_RETRY_MS;
    if (this.missed) {
      this.missed = false;
      this.options.onResync();
    }
  }

  private retry(): void {
    if (this.stopped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.connect();
    }, this.retryMs);
    this.retryMs = Math.min(MAX_RETRY_MS, this.retryMs * 2);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }
}
