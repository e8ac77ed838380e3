/**
 * Permanent codes at rest: AES-256-GCM under a key derived (HKDF-SHA256) from the service's
 * `suite.permanentCodeKey` secret, with the corp id as associated data. A dump of the database
 * alone reveals no code, and a sealed code copied onto another corp's row does not open.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/** At least this many characters: the key should be random (e.g. `openssl rand -base64 32`). */
export const MIN_KEY_CHARS = 32;
const VERSION = 'v1';

export class CodeSealError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CodeSealError';
  }
}

export class CodeSeal {
  private readonly key: Buffer;

  constructor(secret: string) {
    if (secret.length < MIN_KEY_CHARS) throw new CodeSealError(`the permanent code key must be at least ${MIN_KEY_CHARS} characters`);
    this.key = Buffer.from(hkdfSync('sha256', secret, 'wecom-archive', 'permanent-code v1', 32));
  }

  /** `v1:` + base64(iv 12 · tag 16 · ciphertext). */
  seal(corpId: string, code: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv).setAAD(Buffer.from(corpId, 'utf8'));
    const body = Buffer.concat([cipher.update(code, 'utf8'), cipher.final()]);
    return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
  }

  /** The code; CodeSealError (never showing the value) when the key or the corp does not match. */
  open(corpId: string, sealed: string): string {
    const [version, data] = sealed.split(':', 2);
    const raw = Buffer.from(data ?? '', 'base64');
    if (version !== VERSION || raw.length < 29) throw new CodeSealError('the stored permanent code is not in a known format');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12)).setAAD(Buffer.from(corpId, 'utf8'));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    } catch {
      throw new CodeSealError('the stored permanent code does not open with this key (another key, or another corp\'s row)');
    }
  }
}
