import * as vscode from 'vscode';
import { type Profile, SECRET_FIELDS, type SecretField, profileOfSecretKey, secretKey } from './profile';

const PROFILES_KEY = 'wecomArchive.profiles';
const ACTIVE_KEY = 'wecomArchive.activeProfile';

/** How long the writes of a batch are given to settle before its last one is repeated. */
const SETTLE_MS = 300;

/**
 * Profiles: non-secret fields in globalState, secrets in SecretStorage keyed by profile.
 * Fires onDidChange when either changes, also when another window changed a secret.
 */
export class ProfileStore implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<string | undefined>();
  readonly onDidChange = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly context: vscode.ExtensionContext) {
    this.subscription = context.secrets.onDidChange((e) => {
      const id = profileOfSecretKey(e.key);
      if (id) this.changed.fire(id);
    });
  }

  list(): Profile[] {
    return this.context.globalState.get<Profile[]>(PROFILES_KEY, []);
  }

  get(id: string): Profile | undefined {
    return this.list().find((p) => p.id === id);
  }

  active(): Profile | undefined {
    const id = this.context.globalState.get<string>(ACTIVE_KEY);
    const all = this.list();
    return all.find((p) => p.id === id) ?? all[0];
  }

  async setActive(id: string): Promise<void> {
    await this.context.globalState.update(ACTIVE_KEY, id);
    this.changed.fire(id);
  }

  async save(profile: Profile): Promise<void> {
    const others = this.list().filter((p) => p.id !== profile.id);
    await this.context.globalState.update(PROFILES_KEY, [...others, profile]);
    this.changed.fire(profile.id);
  }

  /** Removes the profile and every secret it had. */
  async remove(id: string): Promise<void> {
    const profile = this.get(id);
    const fields: SecretField[] = [...SECRET_FIELDS, ...(profile?.keyVersions ?? []).map((v) => `privateKey.${v}` as const)];
    await this.setSecrets(
      id,
      fields.map((f) => [f, undefined]),
    );
    await this.context.globalState.update(PROFILES_KEY, this.list().filter((p) => p.id !== id));
    if (this.context.globalState.get<string>(ACTIVE_KEY) === id) await this.context.globalState.update(ACTIVE_KEY, undefined);
    this.changed.fire(id);
  }

  getSecret(id: string, field: SecretField): Thenable<string | undefined> {
    return this.context.secrets.get(secretKey(id, field));
  }

  async setSecret(id: string, field: SecretField, value: string | undefined): Promise<void> {
    if (value === undefined || value === '') await this.context.secrets.delete(secretKey(id, field));
    else await this.context.secrets.store(secretKey(id, field), value);
  }

  /**
   * Several secrets at once (undefined deletes). code-server's browser secret storage saves its
   * whole store after every write without waiting for the previous save, so an older snapshot can
   * land last and silently undo the newest write (seen: a profile's last secret gone after a
   * reload). Once the batch has settled, its last write is repeated: that save starts after all the
   * others and holds every change.
   */
  async setSecrets(id: string, values: Iterable<readonly [SecretField, string | undefined]>): Promise<void> {
    let last: readonly [SecretField, string | undefined] | undefined;
    let count = 0;
    for (const entry of values) {
      await this.setSecret(id, entry[0], entry[1]);
      last = entry;
      count++;
    }
    if (!last || count < 2) return;
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    await this.setSecret(id, last[0], last[1]);
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
