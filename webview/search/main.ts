// The search panel: a form checked against every search_msg rule as the user types, results
// newest first (rendered like stream rows), "Load more", recent searches and export.
import type { HostEvent, SearchFormState, SearchHit, SearchResults } from '../../src/shared/protocol';
import { visibleText } from '../../src/shared/visibleText';
import type { RuleViolation } from '../../src/shared/rules';
import { word } from '../../src/shared/text';
import { type Field, button, controlOwnsKey, dateTimeField, dropdown, progressRing, radioGroup, registerToolkit, textField } from '../components';
import { codicon, h } from '../lib/dom';
import { type InitMessage, getUiState, onHostMessage, ready, request, setUiState } from '../lib/host';
import { renderMessage } from '../lib/row';
import { configureL10n, t } from '../lib/l10n';
import { type FormField, fieldOf, validateForm } from './request';

const FIELDS: readonly FormField[] = ['queryWord', 'chatType', 'partyA', 'partyB', 'chatId', 'start', 'end', 'limit'];

interface Panel {
  fields: Record<Exclude<FormField, 'chatType'>, Field> & { chatType: Field; partyAType: Field; partyBType: Field };
  errors: Record<FormField, HTMLElement>;
  single: HTMLElement;
  group: HTMLElement;
  submit: ReturnType<typeof button>;
  ring: HTMLElement;
  status: HTMLElement;
  results: HTMLElement;
  resultsHeader: HTMLElement;
  loadMore: ReturnType<typeof button>;
  exports: ReturnType<typeof button>[];
  recent: HTMLElement;
  queryTouched: boolean;
  running: boolean;
  /** The form of the search whose results are shown ("Load more" continues it). */
  shownForm?: SearchFormState;
  hits: number;
  active: number;
}

let panel: Panel | undefined;
let hitSeq = 0;

/** What the webview keeps across hiding and reloads (setState): the form as typed, and where the user was. */
interface UiState {
  form?: SearchFormState;
  /** The host's formVersion the kept form is based on: a newer one from the host wins. */
  formVersion?: number;
  active?: number;
  scrollTop?: number;
}
let formVersion = 0;

function keepState(p: Panel): void {
  setUiState<UiState>({ ...getUiState<UiState>(), form: readForm(p), formVersion, active: p.active, scrollTop: p.results.scrollTop });
}

/** Wire names in a rule's sentence, each with the label of the field the user sees. */
function withFieldLabels(text: string): string {
  const labels: Record<string, string> = {
    start_time: t('From'),
    end_time: t('To'),
    query_word: t('Keyword'),
    chat_type: t('Chat'),
    chat_id: t('Group chat id'),
    id_list: `${t('First party')} / ${t('Second party')}`,
  };
  return text.replace(/\b(start_time|end_time|query_word|chat_type|chat_id|id_list)\b/g, (wire) => `${labels[wire]} (${wire})`);
}

function readForm(p: Panel): SearchFormState {
  const f = p.fields;
  const chatType = Number(f.chatType.value);
  return {
    queryWord: f.queryWord.value,
    chatType: chatType === 1 || chatType === 2 ? chatType : 0,
    partyA: f.partyA.value,
    partyAType: f.partyAType.value === '2' ? 2 : 1,
    partyB: f.partyB.value,
    partyBType: f.partyBType.value === '2' ? 2 : 1,
    chatId: f.chatId.value,
    start: f.start.value,
    end: f.end.value,
    limit: f.limit.value,
  };
}

function fillForm(p: Panel, form: SearchFormState): void {
  const f = p.fields;
  f.queryWord.value = form.queryWord ?? '';
  f.chatType.value = String(form.chatType ?? 0);
  f.partyA.value = form.partyA ?? '';
  f.partyAType.value = String(form.partyAType === 2 ? 2 : 1);
  f.partyB.value = form.partyB ?? '';
  f.partyBType.value = String(form.partyBType === 2 ? 2 : 1);
  f.chatId.value = form.chatId ?? '';
  f.start.value = form.start ?? '';
  f.end.value = form.end ?? '';
  f.limit.value = form.limit ?? '';
  p.queryTouched = (form.queryWord ?? '') !== '';
  validate(p);
}

/** Checks the request the form would send; names each broken rule next to its field. */
function validate(p: Panel): RuleViolation[] {
  const form = readForm(p);
  p.single.hidden = form.chatType !== 1;
  p.group.hidden = form.chatType !== 2;
  const violations = validateForm(form);
  const byField = new Map<FormField, RuleViolation[]>();
  for (const v of violations) {
    if (v.rule === 'query_word.required' && !p.queryTouched) continue;
    const field = fieldOf(v);
    byField.set(field, [...(byField.get(field) ?? []), v]);
  }
  for (const field of FIELDS) {
    const list = byField.get(field) ?? [];
    const err = p.errors[field];
    err.replaceChildren(
      ...list.map((v) =>
        h('div', { class: 'rule', 'data-rule': v.rule }, codicon('error'), h('code', { class: 'rule-id', title: t('Rule {0}', v.rule) }, v.rule), h('span', {}, withFieldLabels(word(v.message, t)))),
      ),
    );
    p.fields[field].setInvalid(list.length > 0);
  }
  p.submit.setDisabled(violations.length > 0 || p.running);
  return violations;
}

function setStatus(p: Panel, text: string): void {
  p.status.textContent = text;
}

function setRunning(p: Panel, running: boolean): void {
  p.running = running;
  p.ring.hidden = !running;
  p.results.setAttribute('aria-busy', String(running));
  p.loadMore.setDisabled(running);
  validate(p);
}

async function run(p: Panel, more: boolean): Promise<void> {
  if (p.running) return;
  const form = more && p.shownForm ? p.shownForm : readForm(p);
  if (!more) {
    p.queryTouched = true;
    if (validate(p).length > 0) return;
  }
  setRunning(p, true);
  setStatus(p, t('Searching…'));
  try {
    const page = await request('search.run', { form, more });
    if (!more) {
      p.results.replaceChildren();
      p.hits = 0;
      p.active = -1;
      p.shownForm = form;
    }
    appendHits(p, page.hits);
    showCount(p, page.hasMore);
    setStatus(p, '');
    keepState(p);
  } catch (e) {
    setStatus(p, t('The search failed: {0}', e instanceof Error ? e.message : String(e)));
  } finally {
    setRunning(p, false);
  }
}

function showCount(p: Panel, hasMore: boolean): void {
  p.loadMore.el.hidden = !hasMore;
  for (const b of p.exports) b.setDisabled(p.hits === 0);
  p.resultsHeader.textContent = p.hits === 0 ? t('No messages found.') : p.hits === 1 ? t('1 result') : t('{0} results', p.hits.toLocaleString());
}

/** Shows the results the host kept (after the panel was hidden or reloaded). */
function restoreResults(p: Panel, results: SearchResults, ui: UiState): void {
  p.results.replaceChildren();
  p.hits = 0;
  p.active = -1;
  p.shownForm = results.form;
  appendHits(p, results.hits);
  showCount(p, results.hasMore);
  if (typeof ui.active === 'number' && ui.active >= 0 && ui.active < p.hits) setActive(p, ui.active, false);
  if (typeof ui.scrollTop === 'number') p.results.scrollTop = ui.scrollTop;
}

function hitElement(hit: SearchHit): HTMLElement {
  const id = `hit-${++hitSeq}`;
  if (hit.row) {
    const el = renderMessage(hit.row, { role: 'option', id });
    el.classList.add('hit');
    return el;
  }
  return h(
    'div',
    { class: 'msg hit hit-missing', role: 'option', id, 'data-msgid': hit.msgid, 'aria-label': `${visibleText(hit.msgid)}: ${t('Not in the local archive — older than what was synced.')}` },
    codicon('question'),
    h('div', { class: 'msg-main' }, h('div', { class: 'msg-line1' }, h('bdi', { class: 'msg-id', dir: 'ltr' }, visibleText(hit.msgid))), h('div', { class: 'msg-line2 hit-note' }, t('Not in the local archive — older than what was synced.'))),
  );
}

function appendHits(p: Panel, hits: readonly SearchHit[]): void {
  for (const hit of hits) {
    const el = hitElement(hit);
    el.tabIndex = -1;
    el.setAttribute('aria-selected', 'false');
    const index = p.hits++;
    el.dataset.index = String(index);
    el.addEventListener('click', () => {
      setActive(p, index);
      keepState(p);
      void openHit(p, hit.msgid);
    });
    p.results.append(el);
  }
  if (p.active < 0 && p.hits > 0) setActive(p, 0, false);
}

function hitAt(p: Panel, index: number): HTMLElement | undefined {
  return (p.results.children[index] as HTMLElement | undefined) ?? undefined;
}

function setActive(p: Panel, index: number, focus = true): void {
  const prev = hitAt(p, p.active);
  if (prev) {
    prev.tabIndex = -1;
    prev.setAttribute('aria-selected', 'false');
  }
  const el = hitAt(p, index);
  if (!el) return;
  p.active = index;
  el.tabIndex = 0;
  el.setAttribute('aria-selected', 'true');
  if (focus) {
    el.focus();
    el.scrollIntoView({ block: 'nearest' });
  }
}

async function openHit(p: Panel, msgid: string): Promise<void> {
  try {
    const r = await request('search.openHit', { msgid });
    if (r.message) setStatus(p, r.message);
  } catch (e) {
    setStatus(p, t('The search failed: {0}', e instanceof Error ? e.message : String(e)));
  }
}

function onResultsKey(p: Panel, e: KeyboardEvent): void {
  const last = p.hits - 1;
  let next = -1;
  if (e.key === 'ArrowDown') next = Math.min(last, p.active + 1);
  else if (e.key === 'ArrowUp') next = Math.max(0, p.active - 1);
  else if (e.key === 'Home') next = 0;
  else if (e.key === 'End') next = last;
  else if (e.key === 'PageDown') next = Math.min(last, p.active + 10);
  else if (e.key === 'PageUp') next = Math.max(0, p.active - 10);
  else if (e.key === 'Enter' || e.key === ' ') {
    const el = hitAt(p, p.active);
    if (el?.dataset.msgid) {
      e.preventDefault();
      void openHit(p, el.dataset.msgid);
    }
    return;
  } else if (e.key === 'Escape') {
    e.preventDefault();
    p.fields.queryWord.focus();
    return;
  } else return;
  e.preventDefault();
  if (next >= 0) setActive(p, next);
}

function recentText(f: SearchFormState): string {
  const parts = [visibleText(f.queryWord)];
  if (f.chatType === 1) parts.push(`${t('Single chat')}: ${visibleText(f.partyA)} / ${visibleText(f.partyB)}`);
  else if (f.chatType === 2) parts.push(f.chatId ? `${t('Group chat')}: ${visibleText(f.chatId)}` : t('Group chat'));
  if (f.start || f.end) parts.push(visibleText(`${f.start.replace('T', ' ')} – ${f.end.replace('T', ' ')}`));
  return parts.join(' · ');
}

function renderRecent(p: Panel, recent: readonly SearchFormState[]): void {
  if (recent.length === 0) {
    p.recent.replaceChildren(h('p', { class: 'muted' }, t('No recent searches yet.')));
    return;
  }
  const list = h('ul', { class: 'recent-list', 'aria-label': t('Recent searches') });
  for (const f of recent) {
    const text = recentText(f);
    const b = h('button', { type: 'button', class: 'link-button', 'aria-label': t('Run again: {0}', text), title: text }, codicon('history'), h('bdi', {}, text));
    b.addEventListener('click', () => {
      fillForm(p, f);
      void run(p, false);
    });
    list.append(h('li', {}, b));
  }
  p.recent.replaceChildren(list);
}

function errorBox(field: FormField): HTMLElement {
  return h('div', { id: `err-${field}`, class: 'field-error', 'aria-live': 'polite' });
}

function hint(id: string, text: string): HTMLElement {
  return h('div', { id, class: 'field-hint' }, text);
}

function render(init: InitMessage): void {
  if (init.view !== 'search') return;
  configureL10n(init.l10n, init.lang);
  registerToolkit();
  const data = init.data;
  const app = document.getElementById('app')!;

  const kindOptions = [
    { value: '1', text: t('Employee (open_userid)') },
    { value: '2', text: t('External contact (external_userid)') },
  ];
  const fields = {
    queryWord: textField({ id: 'query-word', label: t('Keyword'), describedBy: 'query-word-hint err-queryWord' }),
    chatType: radioGroup({
      id: 'chat-type',
      label: t('Chat'),
      value: '0',
      options: [
        { value: '0', text: t('Any chat') },
        { value: '1', text: t('Single chat') },
        { value: '2', text: t('Group chat') },
      ],
    }),
    partyA: textField({ id: 'party-a', label: t('First party'), describedBy: 'err-partyA' }),
    partyAType: dropdown({ id: 'party-a-type', label: t('ID kind'), options: kindOptions, value: '1' }),
    partyB: textField({ id: 'party-b', label: t('Second party'), describedBy: 'err-partyB' }),
    partyBType: dropdown({ id: 'party-b-type', label: t('ID kind'), options: kindOptions, value: '2' }),
    chatId: textField({ id: 'chat-id', label: t('Group chat id'), describedBy: 'chat-id-hint err-chatId' }),
    start: dateTimeField({ id: 'start-time', label: t('From'), describedBy: 'time-hint err-start' }),
    end: dateTimeField({ id: 'end-time', label: t('To'), describedBy: 'time-hint err-end' }),
    limit: textField({ id: 'limit', label: t('Page size'), inputmode: 'numeric', describedBy: 'limit-hint err-limit', size: 6 }),
  };
  const errors = Object.fromEntries(FIELDS.map((f) => [f, errorBox(f)])) as Record<FormField, HTMLElement>;
  const single = h(
    'div',
    { class: 'field-group', id: 'single-fields', role: 'group', 'aria-label': t('Single chat') },
    h('div', { class: 'field-row' }, fields.partyA.el, fields.partyAType.el),
    errors.partyA,
    h('div', { class: 'field-row' }, fields.partyB.el, fields.partyBType.el),
    errors.partyB,
  );
  const group = h('div', { class: 'field-group', id: 'group-fields', role: 'group', 'aria-label': t('Group chat') }, fields.chatId.el, hint('chat-id-hint', t('Empty = all group chats.')), errors.chatId);

  const p: Panel = {
    fields,
    errors,
    single,
    group,
    submit: button({ id: 'search-submit', text: t('Search'), icon: 'search', onClick: () => p && void run(p, false) }),
    ring: progressRing(t('Searching…')),
    status: h('div', { id: 'search-status', class: 'status', role: 'status', 'aria-live': 'polite' }),
    results: h('div', { id: 'results', class: 'results', role: 'listbox', 'aria-label': t('Results'), 'aria-busy': 'false' }),
    resultsHeader: h('h2', { id: 'results-header', class: 'results-header' }),
    loadMore: button({ id: 'load-more', text: t('Load more'), icon: 'fold-down', appearance: 'secondary', onClick: () => p && void run(p, true) }),
    exports: [],
    recent: h('div', { id: 'recent' }),
    queryTouched: false,
    running: false,
    hits: 0,
    active: -1,
  };
  panel = p;
  p.ring.hidden = true;
  p.loadMore.el.hidden = true;
  const exportJson = button({ id: 'export-json', text: t('Export JSON'), icon: 'json', appearance: 'secondary', onClick: () => void doExport(p, 'json') });
  const exportCsv = button({ id: 'export-csv', text: t('Export CSV'), icon: 'table', appearance: 'secondary', onClick: () => void doExport(p, 'csv') });
  p.exports = [exportJson, exportCsv];
  for (const b of p.exports) b.setDisabled(true);

  const form = h(
    'form',
    { id: 'search-form', class: 'search-form', 'aria-label': t('Search form'), novalidate: true },
    h('h1', {}, t('Search messages')),
    fields.queryWord.el,
    hint('query-word-hint', t('At least 2 characters. Searches text, file names, link and mini-program titles, online-doc and WeDrive file names.')),
    errors.queryWord,
    fields.chatType.el,
    errors.chatType,
    single,
    group,
    h('div', { class: 'field-row' }, fields.start.el, fields.end.el),
    hint('time-hint', t('Leave both empty for the last 30 days. The range may not exceed 30 days.')),
    errors.start,
    errors.end,
    fields.limit.el,
    hint('limit-hint', t('1 to 100; empty = 50.')),
    errors.limit,
    h('div', { class: 'form-actions' }, p.submit.el, p.ring),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void run(p, false);
  });
  form.addEventListener('keydown', (e) => {
    if (controlOwnsKey(e.target, e.key)) return;
    if (e.key === 'Enter') {
      e.preventDefault();
      void run(p, false);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      fields.queryWord.value = '';
      validate(p);
      fields.queryWord.focus();
    }
  });
  for (const [name, f] of Object.entries(fields)) {
    f.onInput(() => {
      if (name === 'queryWord') p.queryTouched = true;
      validate(p);
      keepState(p);
    });
  }
  p.results.addEventListener('keydown', (e) => onResultsKey(p, e));
  p.results.addEventListener('scroll', () => keepState(p), { passive: true });

  const resultsSection = h(
    'section',
    { class: 'results-section', 'aria-labelledby': 'results-header' },
    h('div', { class: 'results-bar' }, p.resultsHeader, h('span', { class: 'toolbar-spacer' }), exportJson.el, exportCsv.el),
    p.results,
    p.loadMore.el,
  );
  const recentSection = h('section', { class: 'recent-section', 'aria-labelledby': 'recent-header' }, h('h2', { id: 'recent-header' }, t('Recent searches')), p.recent);
  app.replaceChildren(h('div', { class: 'search-layout' }, h('div', { class: 'search-side' }, form, recentSection), h('div', { class: 'search-main' }, resultsSection, p.status)));
  app.removeAttribute('aria-busy');
  renderRecent(p, data.recent ?? []);
  // The form the user was typing survives hiding and reloads, unless the host set a newer one.
  const ui = getUiState<UiState>();
  const hostVersion = typeof data.formVersion === 'number' ? data.formVersion : 0;
  const keptForm = ui.form && ui.formVersion === hostVersion && !data.autoRun ? ui.form : undefined;
  formVersion = hostVersion;
  fillForm(p, keptForm ?? data.form);
  if (data.results) restoreResults(p, data.results, ui);
  fields.queryWord.focus();
  keepState(p);
  if (data.autoRun && validate(p).length === 0) void run(p, false);
}

async function doExport(p: Panel, format: 'json' | 'csv'): Promise<void> {
  try {
    const r = await request('search.export', { format });
    if (r.message) setStatus(p, r.message);
  } catch (e) {
    setStatus(p, t('The search failed: {0}', e instanceof Error ? e.message : String(e)));
  }
}

function onEvent(e: HostEvent): void {
  const p = panel;
  if (!p) return;
  if (e.name === 'search.recent') renderRecent(p, e.recent);
  else if (e.name === 'search.setForm') {
    formVersion = e.formVersion;
    fillForm(p, e.form);
    keepState(p);
    if (e.autoRun && validate(p).length === 0) void run(p, false);
  }
}

onHostMessage(render, onEvent);
ready();
