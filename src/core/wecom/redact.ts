/**
 * Secret redaction for anything that may be logged or shown. The access token travels in the query
 * string (`?access_token=`), so every URL is a potential leak; proxy URLs may carry a password.
 */

const TOKEN_PARAM = /([?&](?:suite_access_token|access_token|provider_access_token)=)[^&#\s"']*/gi;
const URL_CREDENTIALS = /(\b[a-z][a-z0-9+.-]*:\/\/)[^/@\s:]*(?::[^/@\s]*)?@/gi;

/** Replace token query parameters and URL credentials by `***`. */
export function redactUrl(text: string): string {
  return text.replace(TOKEN_PARAM, '$1***').replace(URL_CREDENTIALS, '$1***@');
}

/**
 * Redact known secret values as well as URL-shaped ones. Used for text that did not come from us
 * (errmsg, exception messages), which might echo a token in any position.
 */
export function redactSecrets(text: string, secrets: Iterable<string | undefined>): string {
  let out = redactUrl(text);
  for (const secret of secrets) {
    // Very short "secrets" would redact ordinary words; real tokens are long.
    if (secret && secret.length >= 6) out = out.split(secret).join('***');
  }
  return out;
}
