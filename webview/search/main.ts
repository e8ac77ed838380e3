import type { SearchFormState, UiStrings } from '../../src/protocol';
import { h } from '../lib/dom';
import { type InitMessage, onHostMessage, ready, request } from '../lib/host';

let strings: UiStrings = {};
const s = (k: string): string => strings[k] ?? k;

/** UTF-8 characters, not bytes or UTF-16 units: the seed's rule for query_word. */
const charCount = (v: string): number => [...v].length;

function render(init: InitMessage): void {
  strings = init.strings;
  document.documentElement.lang = init.lang;
  const form: SearchFormState = { ...init.data.form };
  const app = document.getElementById('app')!;
  const query = h('input', { id: 'query-word', type: 'text', 'aria-describedby': 'query-word-hint query-word-error', autocomplete: 'off' });
  query.value = form.queryWord;
  const error = h('div', { id: 'query-word-error', class: 'field-error', role: 'alert' });
  const submit = h('button', { id: 'search-submit', type: 'submit' }, s('search'));
  const status = h('div', { id: 'search-status', role: 'status', 'aria-live': 'polite' });

  const validate = (): boolean => {
    form.queryWord = query.value;
    const ok = charCount(query.value) >= 2;
    error.textContent = ok || query.value === '' ? '' : s('queryWordHint');
    query.setAttribute('aria-invalid', String(!ok && query.value !== ''));
    submit.disabled = !ok;
    return ok;
  };
  query.addEventListener('input', validate);
  query.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      query.value = '';
      validate();
    }
  });

  const el = h(
    'form',
    { id: 'search-form', 'aria-label': s('title') },
    h('h1', {}, s('title')),
    h('label', { for: 'query-word' }, s('queryWord')),
    query,
    h('div', { id: 'query-word-hint', class: 'field-hint' }, s('queryWordHint')),
    error,
    submit,
    status,
  );
  el.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!validate()) return;
    const r = await request('search.run', { form });
    status.textContent = r.message;
  });
  app.replaceChildren(el);
  app.removeAttribute('aria-busy');
  validate();
  query.focus();
}

onHostMessage(render);
ready();
