// Public keys set via set_public_key and the encrypted_secret_key of each message.
// RSA per message is far too slow for a million messages, so each key version has a pool of 64
// secrets encrypted once; a message picks one slot deterministically from its index.
import { constants, createPublicKey, generateKeyPair, publicEncrypt } from 'node:crypto';
import { promisify } from 'node:util';
import { invalidParam } from './errors';
import { hash2, randomId, streamFor } from './prng';

export const SECRET_POOL_SIZE = 64;

interface KeyEpoch {
  /** First message index encrypted under this key: messages created after set_public_key. */
  readonly fromIndex: number;
  readonly version: number;
  readonly publicKeyPem: string;
  readonly secrets: readonly string[];
  /** `"service_encrypt_info":{…}` per pool slot, precomputed for serialization. */
  readonly fragments: readonly string[];
}

export interface MessageSecret {
  secret: string;
  publicKeyVer: number;
  encryptedSecretKey: string;
}

const generateKeyPairAsync = promisify(generateKeyPair);

/** Validates a PEM SPKI RSA public key; throws 40058 naming public_key otherwise. */
export function parsePublicKey(pem: unknown): string {
  if (typeof pem !== 'string' || !pem.includes('-----BEGIN PUBLIC KEY-----')) {
    throw invalidParam('public_key', 'must be a PEM SPKI public key');
  }
  try {
    const key = createPublicKey({ key: pem, format: 'pem' });
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (key.asymmetricKeyType !== 'rsa' || bits < 1024) throw new Error('not RSA');
  } catch {
    throw invalidParam('public_key', 'not a valid RSA public key');
  }
  return pem;
}

export class KeyRing {
  private readonly epochs: KeyEpoch[] = [];
  private readonly privateKeys = new Map<number, string>();

  private constructor(private readonly seed: number) {}

  /** Uses the given key, or generates a 2048-bit pair (version 1) whose private key is exposed. */
  static async create(seed: number, initial?: { publicKeyPem: string; version: number }): Promise<KeyRing> {
    const ring = new KeyRing(seed);
    if (initial) {
      ring.addEpoch(0, parsePublicKey(initial.publicKeyPem), initial.version);
    } else {
      const { publicKey, privateKey } = await generateKeyPairAsync('rsa', {
        modulusLength: 2048,
        publicKeyEncoding: { type: 'spki', format: 'pem' },
        privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      });
      ring.addEpoch(0, publicKey, 1);
      ring.privateKeys.set(1, privateKey);
    }
    return ring;
  }

  get currentVersion(): number {
    return this.epochs[this.epochs.length - 1]!.version;
  }

  /** The PEM of the private key the simulator generated for `version`, if it generated it. */
  privateKeyPem(version = 1): string | undefined {
    return this.privateKeys.get(version);
  }

  /** set_public_key: the version must strictly grow. Applies to messages from `fromIndex` on. */
  setPublicKey(pem: unknown, version: unknown, fromIndex: number): void {
    if (typeof version !== 'number' || !Number.isSafeInteger(version) || version <= this.currentVersion) {
      throw invalidParam('public_key_ver', `must be an integer greater than ${this.currentVersion}`);
    }
    this.addEpoch(fromIndex, parsePublicKey(pem), version);
  }

  private addEpoch(fromIndex: number, publicKeyPem: string, version: number): void {
    const rand = streamFor(this.seed, `secrets:${version}`);
    const secrets: string[] = [];
    const fragments: string[] = [];
    for (let i = 0; i < SECRET_POOL_SIZE; i++) {
      const secret = randomId(rand, '', 32);
      const encrypted = publicEncrypt(
        { key: publicKeyPem, padding: constants.RSA_PKCS1_PADDING },
        Buffer.from(secret, 'ascii'),
      ).toString('base64');
      secrets.push(secret);
      fragments.push(`"service_encrypt_info":{"encrypted_secret_key":"${encrypted}","public_key_ver":${version}}`);
    }
    this.epochs.push({ fromIndex, version, publicKeyPem, secrets, fragments });
  }

  private epochFor(index: number): KeyEpoch {
    for (let i = this.epochs.length - 1; i > 0; i--) {
      const e = this.epochs[i]!;
      if (index >= e.fromIndex) return e;
    }
    return this.epochs[0]!;
  }

  private slot(index: number): number {
    return hash2(this.seed ^ 0x6b6579, index) % SECRET_POOL_SIZE;
  }

  /** The serialized service_encrypt_info member for message `index`. */
  fragment(index: number): string {
    return this.epochFor(index).fragments[this.slot(index)]!;
  }

  secretOf(index: number): MessageSecret {
    const e = this.epochFor(index);
    const slot = this.slot(index);
    const match = /"encrypted_secret_key":"([^"]+)"/.exec(e.fragments[slot]!);
    return { secret: e.secrets[slot]!, publicKeyVer: e.version, encryptedSecretKey: match?.[1] ?? '' };
  }
}
