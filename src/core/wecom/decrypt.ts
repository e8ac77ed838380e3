/**
 * Decryption of `service_encrypt_info.encrypted_secret_key` (docs/wecom-api.md §5).
 *
 * WeCom encrypts with RSA PKCS#1 v1.5. Node ≥ 18.19.1 / 20.11.1 / 22 refuses
 * `privateDecrypt(..., RSA_PKCS1_PADDING)` because of CVE-2023-46809 (Marvin attack), while
 * Electron's BoringSSL still allows it. To behave the same everywhere we decrypt with
 * RSA_NO_PADDING and check the v1.5 block (00 02 PS≥8 nonzero 00 M) ourselves, without early exits.
 * The timing oracle the CVE is about needs an attacker who can submit ciphertexts and time us;
 * here we only decrypt what WeCom sent to the provider, so "constant-ish" is the right effort.
 * OAEP is tried as a fallback because some deployments registered OAEP-era tooling.
 *
 * Keys rotate (`set_public_key` versions only grow), so a KeyRing holds every version still needed:
 * losing an old key would make older messages undecryptable.
 */
import {
  constants,
  createHash,
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  privateDecrypt,
} from 'node:crypto';
import { DecryptError } from './errors';
import { phrase } from '../../shared/text';

export const MIN_RSA_BITS = 2048;

export interface ValidatedPrivateKey {
  readonly key: KeyObject;
  readonly format: 'pkcs1' | 'pkcs8';
  readonly modulusLength: number;
  /** SPKI PEM, what `set_public_key` expects: lets the UI show which public key to register. */
  readonly publicKeyPem: string;
  /** sha256 of the SPKI DER, hex; for telling keys apart in the UI without showing them. */
  readonly fingerprint: string;
}

/** Check an imported PEM: PKCS#1 or PKCS#8, unencrypted, RSA, ≥ 2048 bits. Throws DecryptError. */
export function validatePrivateKeyPem(pem: string, publicKeyVer?: number): ValidatedPrivateKey {
  const text = pem.trim();
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----/.test(text) || /Proc-Type:\s*4,ENCRYPTED/.test(text)) {
    throw new DecryptError(
      'encryptedKey',
      phrase('This private key is password-protected; export it unencrypted first (e.g. openssl pkey -in key.pem -out plain.pem).'),
      publicKeyVer,
    );
  }
  let format: 'pkcs1' | 'pkcs8';
  if (/-----BEGIN RSA PRIVATE KEY-----/.test(text)) format = 'pkcs1';
  else if (/-----BEGIN PRIVATE KEY-----/.test(text)) format = 'pkcs8';
  else {
    throw new DecryptError(
      'invalidKey',
      phrase('Not a PEM private key: expected "-----BEGIN RSA PRIVATE KEY-----" (PKCS#1) or "-----BEGIN PRIVATE KEY-----" (PKCS#8).'),
      publicKeyVer,
    );
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: text, format: 'pem' });
  } catch (error) {
    throw new DecryptError(
      'invalidKey',
      phrase('The private key cannot be read; the PEM may be damaged.'),
      publicKeyVer,
      { cause: error },
    );
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new DecryptError(
      'notRsa',
      phrase('An RSA private key is needed; this is a {0} key.', key.asymmetricKeyType ?? 'unknown'),
      publicKeyVer,
    );
  }
  const modulusLength = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (modulusLength < MIN_RSA_BITS) {
    throw new DecryptError(
      'weakKey',
      phrase('The RSA key has only {0} bits; at least {1} are needed.', modulusLength, MIN_RSA_BITS),
      publicKeyVer,
    );
  }
  const publicKey = createPublicKey(key);
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return { key, format, modulusLength, publicKeyPem, fingerprint: createHash('sha256').update(der).digest('hex') };
}

/** 1 when a === b (bytes), else 0, without branching on the values. */
function eqByte(a: number, b: number): number {
  return (((a ^ b) - 1) >>> 31) & 1;
}

/**
 * Strip PKCS#1 v1.5 type-2 padding: EM = 00 ‖ 02 ‖ PS (≥ 8 nonzero bytes) ‖ 00 ‖ M.
 * Scans the whole block whatever its content; returns undefined when the padding is wrong.
 */
export function unpadPkcs1v15(em: Uint8Array): Uint8Array | undefined {
  const k = em.length;
  if (k < 11) return undefined;
  let good = eqByte(em[0] ?? 1, 0) & eqByte(em[1] ?? 0, 2);
  let found = 0;
  let separator = 0;
  for (let i = 2; i < k; i++) {
    const isZero = eqByte(em[i] ?? 1, 0);
    const first = isZero & (found ^ 1);
    // separator = first ? i : separator, arithmetically.
    separator += first * (i - separator);
    found |= isZero;
  }
  good &= found;
  // PS ≥ 8 bytes: the separator sits at index ≥ 10.
  good &= ((9 - separator) >>> 31) & 1;
  if (good !== 1) return undefined;
  return em.subarray(separator + 1);
}

export interface DecryptedSecretKey {
  /** The secret key as text, what WeCom's display component takes. */
  readonly secretKey: string;
  readonly bytes: Uint8Array;
  readonly padding: 'pkcs1' | 'oaep-sha1' | 'oaep-sha256';
}

/** Decrypt with one key: PKCS#1 v1.5 via RSA_NO_PADDING, then OAEP (SHA-1, SHA-256). */
export function decryptWithKey(key: KeyObject, ciphertext: Uint8Array): DecryptedSecretKey | undefined {
  try {
    const em = privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, ciphertext);
    const message = unpadPkcs1v15(em);
    if (message) return { secretKey: Buffer.from(message).toString('utf8'), bytes: message, padding: 'pkcs1' };
  } catch {
    // Wrong length or a value ≥ modulus: not ours under any padding, but let OAEP report it.
  }
  for (const oaepHash of ['sha1', 'sha256'] as const) {
    try {
      const message = privateDecrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash }, ciphertext);
      return { secretKey: message.toString('utf8'), bytes: message, padding: oaepHash === 'sha1' ? 'oaep-sha1' : 'oaep-sha256' };
    } catch {
      // try the next
    }
  }
  return undefined;
}

/** Private keys by `public_key_ver`. */
export class KeyRing {
  private readonly keys = new Map<number, ValidatedPrivateKey>();

  /** Validate and add (or replace) the key of one version. */
  add(publicKeyVer: number, pem: string): ValidatedPrivateKey {
    const validated = validatePrivateKeyPem(pem, publicKeyVer);
    this.keys.set(publicKeyVer, validated);
    return validated;
  }

  remove(publicKeyVer: number): boolean {
    return this.keys.delete(publicKeyVer);
  }

  has(publicKeyVer: number): boolean {
    return this.keys.has(publicKeyVer);
  }

  versions(): number[] {
    return [...this.keys.keys()].sort((a, b) => a - b);
  }

  /** Decrypt a message's `encrypted_secret_key` (base64) with the key of its `public_key_ver`. */
  decrypt(encryptedSecretKey: string, publicKeyVer: number): DecryptedSecretKey {
    const entry = this.keys.get(publicKeyVer);
    if (!entry) {
      throw new DecryptError(
        'missingKey',
        // The next step (DecryptError) says what to import: the sentence only states the problem.
        phrase('No private key for version {0}.', publicKeyVer),
        publicKeyVer,
      );
    }
    const ciphertext = Buffer.from(encryptedSecretKey.trim(), 'base64');
    const modulusBytes = Math.ceil(entry.modulusLength / 8);
    if (ciphertext.length !== modulusBytes) {
      throw new DecryptError(
        'badCiphertext',
        phrase('encrypted_secret_key is {0} bytes but the version {1} key needs {2}: wrong ciphertext or key version.', ciphertext.length, publicKeyVer, modulusBytes),
        publicKeyVer,
      );
    }
    const result = decryptWithKey(entry.key, ciphertext);
    if (!result) {
      throw new DecryptError(
        'badPadding',
        phrase('Decryption with the version {0} private key failed (invalid padding): the imported key may not match that version\'s public key.', publicKeyVer),
        publicKeyVer,
      );
    }
    return result;
  }
}
