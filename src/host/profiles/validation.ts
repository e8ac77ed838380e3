// Checks of the wizard's fields, as the user types. Pure, so they are unit-tested in Node.
import { baseUrlProblem } from '../../core/wecom/urls';
import { checkSecureUrl } from '../../core/wecom/urls';

export type Lang = 'zh' | 'en';
type Check = (value: string, lang: Lang) => string | undefined;

const msg = (lang: Lang, zh: string, en: string): string => (lang === 'zh' ? zh : en);

export const checkName: Check = (v, lang) => (v.trim() ? undefined : msg(lang, '名称不能为空。', 'The name must not be empty.'));

/** Corp ids are `ww` + hex; opaque otherwise. Only refuse what can never be one. */
export const checkCorpId: Check = (v, lang) =>
  /^[A-Za-z0-9_-]{4,64}$/.test(v.trim()) ? undefined : msg(lang, '企业 ID 应为 4–64 个字母、数字、- 或 _（例如 ww1234abcd…）。', 'A corp id is 4–64 letters, digits, - or _ (e.g. ww1234abcd…).');

export const checkSecretPresent: Check = (v, lang) => (v.trim() ? undefined : msg(lang, '此项必填。', 'This is required.'));

export const checkBaseUrl: Check = (v, lang) => {
  const problem = baseUrlProblem(v.trim());
  return problem ? (lang === 'zh' ? problem.userMessage.zh : problem.userMessage.en) : undefined;
};

export const checkServiceUrl: Check = (v, lang) => {
  try {
    checkSecureUrl(v.trim(), 'tokenService');
    return undefined;
  } catch (e) {
    const m = (e as { userMessage?: { zh: string; en: string } }).userMessage;
    return m ? (lang === 'zh' ? m.zh : m.en) : String(e);
  }
};

/** Minutes until a pasted token expires: empty (unknown) or 1..10080. */
export const checkExpiryMinutes: Check = (v, lang) => {
  if (!v.trim()) return undefined;
  const n = Number(v);
  return Number.isInteger(n) && n >= 1 && n <= 10_080 ? undefined : msg(lang, '请输入 1 到 10080 之间的整数分钟数，或留空。', 'Enter whole minutes from 1 to 10080, or leave it empty.');
};

export const checkKeyVersion: Check = (v, lang) => {
  const n = Number(v);
  return Number.isInteger(n) && n >= 1 && n <= 1_000_000 ? undefined : msg(lang, 'public_key_ver 是正整数（与「设置公钥」时的版本号相同）。', 'public_key_ver is a positive integer (the version given to set_public_key).');
};

/** The callback token of conversation_new_message: at most 128 bytes (seed 000). */
export const checkCallbackToken: Check = (v, lang) => {
  const bytes = new TextEncoder().encode(v.trim()).length;
  if (bytes === 0) return msg(lang, '此项必填。', 'This is required.');
  return bytes <= 128 ? undefined : msg(lang, `token 不能超过 128 字节（当前 ${bytes} 字节）。`, `token must be at most 128 bytes (this one is ${bytes}).`);
};

/** A viewer URL template must be https (or loopback http) and contain {msgid}. */
export const checkViewerTemplate: Check = (v, lang) => {
  if (!v.trim()) return undefined;
  if (!v.includes('{msgid}')) return msg(lang, '模板中必须包含 {msgid}。', 'The template must contain {msgid}.');
  return checkServiceUrl(v.replace(/\{msgid\}|\{secretKey\}/g, 'x'), lang);
};
