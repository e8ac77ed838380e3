// Checks of the wizard's fields, as the user types. Pure (worded through the Translate passed in),
// so they are unit-tested in Node.
import type { Translate } from '../../shared/l10n';
import { MAX_CURSOR_BYTES, utf8ByteLength } from '../../shared/rules';
import { word } from '../../shared/text';
import { ConfigError } from '../../core/wecom/errors';
import { baseUrlProblem, checkSecureUrl } from '../../core/wecom/urls';

type Check = (value: string, t: Translate) => string | undefined;

export const checkName: Check = (v, t) => (v.trim() ? undefined : t('The name must not be empty.'));

/** Corp ids are `ww` + hex; opaque otherwise. Only refuse what can never be one. */
export const checkCorpId: Check = (v, t) => (/^[A-Za-z0-9_-]{4,64}$/.test(v.trim()) ? undefined : t('A corp id is 4–64 letters, digits, - or _ (e.g. ww1234abcd…).'));

export const checkSecretPresent: Check = (v, t) => (v.trim() ? undefined : t('This is required.'));

export const checkBaseUrl: Check = (v, t) => {
  const problem = baseUrlProblem(v.trim());
  return problem ? word(problem.userMessage, t) : undefined;
};

export const checkServiceUrl: Check = (v, t) => {
  try {
    checkSecureUrl(v.trim(), 'tokenService');
    return undefined;
  } catch (e) {
    return e instanceof ConfigError ? word(e.userMessage, t) : String(e);
  }
};

/** Minutes until a pasted token expires: empty (unknown) or 1..10080. */
export const checkExpiryMinutes: Check = (v, t) => {
  if (!v.trim()) return undefined;
  const n = Number(v);
  return Number.isInteger(n) && n >= 1 && n <= 10_080 ? undefined : t('Enter whole minutes from 1 to 10080, or leave it empty.');
};

export const checkKeyVersion: Check = (v, t) => {
  const n = Number(v);
  return Number.isInteger(n) && n >= 1 && n <= 1_000_000 ? undefined : t('public_key_ver is a positive integer (the version given to set_public_key).');
};

/** The callback token of conversation_new_message: at most 128 bytes (docs/wecom-api.md §2). */
export const checkCallbackToken: Check = (v, t) => {
  const bytes = utf8ByteLength(v.trim());
  if (bytes === 0) return t('This is required.');
  return bytes <= MAX_CURSOR_BYTES ? undefined : t('token must be at most {0} bytes (this one is {1}).', MAX_CURSOR_BYTES, bytes);
};

/** A viewer URL template must be https (or loopback http) and contain {msgid}. */
export const checkViewerTemplate: Check = (v, t) => {
  if (!v.trim()) return undefined;
  if (!v.includes('{msgid}')) return t('The template must contain {msgid}.');
  return checkServiceUrl(v.replace(/\{msgid\}|\{secretKey\}/g, 'x'), t);
};
