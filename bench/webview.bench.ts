// Webview benchmark: the built stream and search bundles in headless Chromium, with an in-page
// fake host serving a synthetic 100k-message chat at zero latency. Prints `name: value unit` lines.
// Build: `node esbuild.mjs --tests` (→ out/bench/webview.bench.js); run with Node 22.
import { emptySearchForm } from '../src/shared/searchRequest';
import { searchInit, streamInit } from '../test/webview/fixtures';
import { openHosted } from '../test/webview/helpers';
import { median } from './support';

const TOTAL = 100_000;
const BASE = 1_700_000_000;
const STEP = 37;
const RUNS = 5;

const fmt = (n: number): string => (Number.isInteger(n) ? String(n) : n.toFixed(1));
function report(name: string, value: number, unit: string): void {
  console.log(`${name}: ${fmt(value)} ${unit}`);
}

const streamCfg = () => ({
  init: streamInit({ total: TOTAL, firstTime: BASE, lastTime: BASE + (TOTAL - 1) * STEP }),
  total: TOTAL,
  baseTime: BASE,
  step: STEP,
});

async function firstRows(): Promise<{ fromInit: number; fromLoad: number }> {
  const fromInit: number[] = [];
  const fromLoad: number[] = [];
  for (let i = 0; i < 3; i++) {
    const wv = await openHosted('stream', streamCfg());
    try {
      await wv.until('window.__fakeStats && window.__fakeStats.firstRowAt > 0', 10_000);
      const s = await wv.stats();
      fromInit.push(s.firstRowAt - s.initSentAt);
      fromLoad.push(s.firstRowAt);
    } finally {
      await wv.close();
    }
  }
  return { fromInit: median(fromInit), fromLoad: median(fromLoad) };
}

async function streamScrollAndJumps(): Promise<{ domRows: number; observedRows: number; scrollMsPerFrame: number; jumpEnd: number; jumpFirst: number; cspAndErrors: number }> {
  const wv = await openHosted('stream', streamCfg());
  try {
    await wv.until(`document.querySelector('#stream-list .msg[data-msgid="msg-0099999"]')`, 10_000);
    const scroll = await wv.page.evaluate(async () => {
      const vp = document.getElementById('stream-list')!;
      let max = 0;
      let frames = 0;
      const t0 = performance.now();
      for (; frames < 5000; frames++) {
        vp.scrollTop = Math.max(0, vp.scrollTop - 600);
        await new Promise((r) => requestAnimationFrame(r));
        const rows = vp.getElementsByClassName('msg');
        if (rows.length > max) max = rows.length;
        let min = 'z';
        for (const r of rows) {
          const id = (r as HTMLElement).dataset.msgid ?? 'z';
          if (id < min) min = id;
        }
        if (min <= 'msg-0095000') break;
      }
      return { max, msPerFrame: (performance.now() - t0) / Math.max(1, frames) };
    });
    const timeJump = (button: string, msgid: string) =>
      wv.page.evaluate(
        async ([b, id]) => {
          const t0 = performance.now();
          (document.getElementById(b!) as HTMLElement).click();
          for (;;) {
            await new Promise((r) => requestAnimationFrame(r));
            if (document.querySelector(`#stream-list .msg[data-msgid="${id}"]`)) return performance.now() - t0;
          }
        },
        [button, msgid],
      );
    const ends: number[] = [];
    const firsts: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      firsts.push(await timeJump('jump-first', 'msg-0000000'));
      ends.push(await timeJump('jump-last', 'msg-0099999'));
    }
    const stats = await wv.stats();
    const bad = (await wv.cspViolations()).length + wv.pageErrors.length;
    return { domRows: scroll.max, observedRows: stats.maxRows, scrollMsPerFrame: scroll.msPerFrame, jumpEnd: median(ends), jumpFirst: median(firsts), cspAndErrors: bad };
  } finally {
    await wv.close();
  }
}

async function searchPage(): Promise<{ resolve: number; more: number }> {
  const form = { ...emptySearchForm(), queryWord: '合同', limit: '100' };
  const wv = await openHosted('search', { init: searchInit({ form }), total: TOTAL, baseTime: BASE, step: STEP, searchTotal: 100_000, missingEvery: 25 });
  try {
    await wv.page.locator('#search-form').waitFor();
    const runs: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      runs.push(
        await wv.page.evaluate(async () => {
          const t0 = performance.now();
          (document.getElementById('search-submit') as HTMLElement).click();
          for (;;) {
            await new Promise((r) => requestAnimationFrame(r));
            const results = document.getElementById('results')!;
            if (results.children.length === 100 && results.getAttribute('aria-busy') === 'false') return performance.now() - t0;
          }
        }),
      );
    }
    const more: number[] = [];
    for (let i = 1; i <= RUNS; i++) {
      more.push(
        await wv.page.evaluate(async (n) => {
          const t0 = performance.now();
          (document.getElementById('load-more') as HTMLElement).click();
          for (;;) {
            await new Promise((r) => requestAnimationFrame(r));
            if (document.getElementById('results')!.children.length === 100 * (n + 1)) return performance.now() - t0;
          }
        }, i),
      );
    }
    return { resolve: median(runs), more: median(more) };
  } finally {
    await wv.close();
  }
}

async function main(): Promise<void> {
  const first = await firstRows();
  report('webview.first_rows_ms', first.fromInit, 'ms');
  report('webview.first_rows_from_load_ms', first.fromLoad, 'ms');
  const s = await streamScrollAndJumps();
  report('webview.dom_rows', Math.max(s.domRows, s.observedRows), 'rows');
  report('webview.scroll_frame_ms', s.scrollMsPerFrame, 'ms');
  report('webview.jump_end_ms', s.jumpEnd, 'ms');
  report('webview.jump_first_ms', s.jumpFirst, 'ms');
  const q = await searchPage();
  report('search.resolve_page_ms', q.resolve, 'ms');
  report('search.load_more_ms', q.more, 'ms');
  if (s.cspAndErrors > 0) {
    console.error(`CSP violations or page errors during the benchmark: ${s.cspAndErrors}`);
    process.exitCode = 1;
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
