import type { HostToWebview, SearchFormState } from '../../src/protocol';

export function emptySearchFormForTests(): SearchFormState {
  return { queryWord: '', chatType: 0, partyA: '', partyB: '', chatId: '', start: '', end: '', limit: '50' };
}

export function searchInit(): Extract<HostToWebview, { kind: 'init' }> {
  return {
    kind: 'init',
    view: 'search',
    lang: 'en',
    strings: { title: 'Search messages', queryWord: 'Keyword', queryWordHint: 'At least 2 characters.', search: 'Search' },
    data: { profileName: 'Demo', form: emptySearchFormForTests() },
  };
}
