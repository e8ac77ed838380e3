/**
 * Generated JSON for the span scanners' tests (jsonSpans, jsonByteSpans): values nested a few
 * levels deep whose strings and keys come from `tricky` (quotes, backslashes, structure characters,
 * a key's own text), serialized compact or pretty-printed.
 */
export function randomJson(rand: () => number, depth: number, tricky: readonly string[]): unknown {
  const r = rand();
  if (depth > 3 || r < 0.3) {
    const pick = rand();
    if (pick < 0.3) return tricky[Math.floor(rand() * tricky.length)];
    if (pick < 0.5) return Math.floor(rand() * 1e6) - 5e5;
    if (pick < 0.6) return rand() * 100;
    if (pick < 0.7) return null;
    return rand() < 0.5;
  }
  if (r < 0.65) return Array.from({ length: Math.floor(rand() * 4) }, () => randomJson(rand, depth + 1, tricky));
  const obj: Record<string, unknown> = {};
  for (let i = Math.floor(rand() * 5); i > 0; i--) obj[`${tricky[Math.floor(rand() * tricky.length)]}k${i}`] = randomJson(rand, depth + 1, tricky);
  return obj;
}

/** Pretty-printed half of the time: spans must not depend on whitespace. */
export function serializeJson(value: unknown, rand: () => number): string {
  return rand() < 0.5 ? JSON.stringify(value) : JSON.stringify(value, null, rand() < 0.5 ? 2 : '\t');
}
