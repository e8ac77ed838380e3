/**
 * Bilingual text. The users are WeCom service providers, most of whom read Chinese first, so every
 * sentence the product may show is carried in both languages from the place where it is made; the
 * host picks one with its l10n setting.
 */
export interface Localized {
  readonly zh: string;
  readonly en: string;
}

export function localized(zh: string, en: string): Localized {
  return { zh, en };
}
