// The team API's load: CLIENTS concurrent clients, each paging a list of chats and then a chat's
// stream (older, 100 a page), again and again, while `running()`; shared by team.bench (SQLite) and
// teamPg.bench (the service on PostgreSQL) so both measure the same thing.
import { Agent, request } from 'undici';

export const CLIENTS = 50;

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** Each client: a page of chats, then a chat's stream page by page (100 a page), again and again. */
export async function load(base: string, key: string, corp: string, running: () => boolean): Promise<{ latencies: number[]; errors: number }> {
  const agent = new Agent({ connections: CLIENTS });
  const latencies: number[] = [];
  let errors = 0;
  const get = async (path: string): Promise<unknown> => {
    const t0 = performance.now();
    try {
      const res = await request(`${base}${path}`, { dispatcher: agent, headers: { authorization: `Bearer ${key}` } });
      const body = await res.body.json();
      if (res.statusCode !== 200) errors++;
      return body;
    } catch {
      errors++;
      return undefined;
    } finally {
      latencies.push(performance.now() - t0);
    }
  };
  const client = async (n: number): Promise<void> => {
    let round = 0;
    while (running()) {
      const page = (await get(`/v1/chats?corp=${corp}&kind=${(n + round) % 2 ? 'single' : 'group'}&limit=50`)) as { chats?: Array<{ key: string }> } | undefined;
      const chats = page?.chats ?? [];
      const chat = chats[(n * 7 + round) % Math.max(1, chats.length)];
      round++;
      if (!chat) continue;
      let from = '';
      for (let p = 0; p < 5 && running(); p++) {
        const msgs = (await get(`/v1/messages?corp=${corp}&chat=${encodeURIComponent(chat.key)}&direction=older&limit=100${from}`)) as
          | { messages?: Array<{ raw: { msgid: string; send_time: number } }> }
          | undefined;
        const list = msgs?.messages ?? [];
        if (list.length < 100) break;
        const oldest = list[0]!.raw;
        from = `&from_time=${oldest.send_time}&from_msgid=${encodeURIComponent(oldest.msgid)}`;
      }
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, (_, i) => client(i)));
  await agent.close();
  return { latencies: latencies.sort((a, b) => a - b), errors };
}
