/**
 * HTTP transports kept between the sync thread's runs. Each run used to build its own (a new
 * undici Agent) and close it at the end, so every run of every corp opened a new connection: over
 * HTTPS to WeCom a TCP and a TLS handshake, two round trips (60 ms at 30 ms away) before the first
 * page, paid by every corp at every interval. A run now takes an idle transport for its route and
 * gives it back at its end; the keep-alive connection it leaves serves the next run. A running
 * run has its transport to itself, so runs side by side never queue on each other's connections.
 */
import type { ProxyOptions } from '../wecom/proxy';
import { HttpTransport } from '../wecom/transport';

/** Idle transports kept per route; more (after a burst of runs at once) are closed. */
export const MAX_IDLE_PER_ROUTE = 4;

export interface LeasedTransport {
  readonly transport: HttpTransport;
  /** Gives it back (idempotent); after a run's last request. */
  release(): void;
}

export class TransportPool {
  private readonly idle = new Map<string, HttpTransport[]>();

  constructor(private readonly create: (proxy: ProxyOptions | undefined) => HttpTransport = (proxy) => new HttpTransport(proxy ? { proxy } : {})) {}

  take(proxy?: ProxyOptions): LeasedTransport {
    // The same settings give the same route (and the same proxy credentials): one key per route.
    const key = JSON.stringify(proxy ?? null);
    const transport = this.idle.get(key)?.pop() ?? this.create(proxy);
    let released = false;
    return {
      transport,
      release: () => {
        if (released) return;
        released = true;
        const list = this.idle.get(key) ?? [];
        this.idle.set(key, list);
        if (list.length < MAX_IDLE_PER_ROUTE) list.push(transport);
        else void transport.close().catch(() => undefined);
      },
    };
  }

  /** Idle transports held (tests). */
  get size(): number {
    let n = 0;
    for (const list of this.idle.values()) n += list.length;
    return n;
  }
}
