/**
 * Names of the `msgtype` numbers (docs/wecom-api.md §4). Shared, so the webview labels rows with
 * the same words; worded through the caller's Translate, so both read the same bundle.
 * WeCom adds types over time, so an unknown number is not an error: it gets a generic label.
 */
import type { Translate } from './l10n';

/** Message types whose content search_msg can match (docs/wecom-api.md §3). */
export const SEARCHABLE_MSGTYPES: ReadonlySet<number> = new Set([1, 4, 5, 8, 18, 20, 23]);

/** Call-like types whose replies may carry `extra_info.call_duration`. */
export const CALL_MSGTYPES: ReadonlySet<number> = new Set([21, 22]);

/** Label for any msgtype; unknown numbers still render, as "unknown type N" (docs/wecom-api.md §4). */
export function msgtypeLabel(msgtype: number, t: Translate): string {
  // One literal t() per label: the bundle check and l10n extraction find every one.
  switch (msgtype) {
    case 0:
      return t('Unsupported message');
    case 1:
      return t('Text');
    case 2:
      return t('Image');
    case 3:
      return t('Sticker');
    case 4:
      return t('Link');
    case 5:
      return t('Mini program');
    case 6:
      return t('Voice');
    case 7:
      return t('Video');
    case 8:
      return t('File');
    case 9:
      return t('Contact card');
    case 10:
      return t('Forwarded chat record');
    case 11:
      return t('Channels');
    case 12:
      return t('Calendar');
    case 13:
      return t('Red packet');
    case 14:
      return t('Location');
    case 15:
      return t('Quick meeting');
    case 16:
      return t('To-do');
    case 17:
      return t('Vote');
    case 18:
      return t('Online document');
    case 19:
      return t('News');
    case 20:
      return t('Mixed text and image');
    case 21:
      return t('Audio archive');
    case 22:
      return t('Audio/video call');
    case 23:
      return t('WeDrive file');
    case 24:
      return t('Consented to archiving');
    case 25:
      return t('Refused archiving');
    case 26:
      return t('Group chain');
    case 27:
      return t('Markdown');
    case 28:
      return t('Note');
    default:
      return t('Unknown type {0}', msgtype);
  }
}
