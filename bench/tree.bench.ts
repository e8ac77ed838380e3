/**
 * The chats tree over an archive of 10,000 single chats: how long expanding the group takes in the
 * host (the tree model's first page plus the labels, descriptions and tooltips of its items), and
 * how long loading all 10k by "Load more" takes. Prints `name: value unit` lines. Goal: < 100 ms.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { openArchive } from '../src/core/archive/archive';
import { chatDescription, chatLabel, chatTooltipMarkdown } from '../src/host/chats/chatFormat';
import { ChatTreeModel, type TreeNode } from '../src/host/tree/treeModel';
import type { ArchiveMessage } from '../src/shared/wire';
import { parseMessage } from '../src/core/wecom/wire';
import { english } from '../src/shared/text';
import { median, repoRoot } from './support';

const CHATS = 10_000;
const PAGE = 200;
const RUNS = 15;

const print = (name: string, value: number, unit: string) => process.stdout.write(`${name}: ${value.toFixed(2)} ${unit}\n`);

function messages(): ArchiveMessage[] {
  const out: ArchiveMessage[] = [];
  for (let i = 0; i < CHATS; i++) {
    for (let k = 0; k < 3; k++) {
      const m = parseMessage({
        msgid: `m${i}_${k}`,
        sender: { type: 1, id: `wo_emp_${i % 40}` },
        receiver_list: [{ type: 2, id: `wm_ext_${i}` }],
        send_time: 1_760_000_000 + i * 30 + k,
        msgtype: [1, 2, 8][k],
        service_encrypt_info: { encrypted_secret_key: 'x', public_key_ver: 1 },
      });
      if (m) out.push(m);
    }
  }
  return out;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tree-bench-'));
  try {
    await build({ absWorkingDir: repoRoot(), entryPoints: { 'archive-worker': 'src/core/archive/worker.ts' }, bundle: true, platform: 'node', format: 'cjs', target: 'node22', outdir: dir, logLevel: 'error' });
    const archive = await openArchive(join(dir, 'a.sqlite'), { workerPath: join(dir, 'archive-worker.js') });
    const all = messages();
    for (let i = 0; i < all.length; i += 1000) await archive.applyPage({ messages: all.slice(i, i + 1000), nextCursor: `c${i}`, hasMore: true });

    const render = (nodes: TreeNode[]) => {
      for (const n of nodes) if (n.type === 'chat') void [chatLabel(n.chat), chatDescription(n.chat, Date.now(), english), chatTooltipMarkdown(n.chat, english)];
    };
    const expand: number[] = [];
    const loadAll: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const model = new ChatTreeModel(async () => archive, () => PAGE);
      const t0 = performance.now();
      const cats = await model.profileChildren('bench');
      const single = cats.find((n) => n.type === 'category' && n.kind === 'single');
      if (single?.type !== 'category' || single.total !== CHATS) throw new Error(`expected ${CHATS} single chats, got ${JSON.stringify(single)}`);
      let nodes = await model.categoryChildren('bench', 'single', single.total);
      render(nodes);
      expand.push(performance.now() - t0);
      if (r < 3) {
        const t1 = performance.now();
        while (nodes.at(-1)?.type === 'loadMore') {
          await model.loadMore('bench', 'single');
          nodes = await model.categoryChildren('bench', 'single', single.total);
        }
        render(nodes);
        loadAll.push(performance.now() - t1);
      }
    }
    print('tree.expand_10k_ms', median(expand), 'ms');
    print('tree.load_all_10k_ms', median(loadAll), 'ms');
    await archive.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
