// Demo mode: the built-in simulator runs inside the extension host on 127.0.0.1, and a demo
// profile points at it (through the simulator's suite-token chain and its own key pair), so every
// feature works with no WeCom tenant. Its callback tokens come from the simulator's token service,
// the way a provider's own service would hand them out.
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { Profile } from '../profiles/profile';
import type { ProfileStore } from '../profiles/profileStore';
import type { RunningSimulator } from '../../core/simulator';
import type { Clock } from '../../core/wecom/timing';

type SimulatorModule = typeof import('../../core/simulator');

/**
 * The simulator is a bundle of its own (dist/demo-simulator.js, esbuild.mjs), loaded when demo mode
 * starts: most sessions never run it, and it is a quarter of the host bundle's size otherwise.
 */
function loadSimulator(): SimulatorModule {
  return require(join(__dirname, 'demo-simulator.js')) as SimulatorModule;
}

export const DEMO_PROFILE_ID = 'demo';

export class DemoMode implements vscode.Disposable {
  private sim: RunningSimulator | undefined;
  private starting: Promise<Profile> | undefined;
  private readonly changed = new vscode.EventEmitter<boolean>();
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly store: ProfileStore,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  get running(): boolean {
    return this.sim !== undefined;
  }

  /** The simulator's clock, while it runs: demo mode's "WeCom time", which tests move forward. */
  get clock(): Clock | undefined {
    const sim = this.sim;
    return sim ? { now: () => sim.now() * 1000 } : undefined;
  }

  get url(): string | undefined {
    return this.sim?.url;
  }

  private names = new Map<string, string>();

  /** Display names of the simulated corp's parties and groups (a real API gives none). */
  nameOf(id: string): string | undefined {
    return this.names.get(id);
  }

  /** Starts the simulator (once) and makes the demo profile active. */
  start(): Promise<Profile> {
    this.starting ??= this.doStart().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  private async doStart(): Promise<Profile> {
    if (this.sim) {
      const existing = this.store.get(DEMO_PROFILE_ID);
      if (existing) return existing;
    }
    const cfg = vscode.workspace.getConfiguration('wecomArchive.demo');
    const sim = await loadSimulator().startSimulator({
      seed: cfg.get<number>('seed', 7),
      messages: cfg.get<number>('messages', 20_000),
      ratePerMinute: cfg.get<number>('ratePerMinute', 6),
    });
    this.sim = sim;
    const dir = sim.directory();
    this.names = new Map([...dir.parties.map((p) => [p.id, p.name] as const), ...dir.groups.map((g) => [g.chatid, g.name] as const)]);
    const version = sim.publicKeyVersion();
    const profile: Profile = {
      id: DEMO_PROFILE_ID,
      name: vscode.l10n.t('Demo corp (simulator)'),
      corpId: sim.corpId,
      source: 'demo',
      baseUrl: sim.url,
      suiteId: sim.suite.suiteId,
      authCorpId: sim.suite.authCorpId,
      keyVersions: [version],
      viewerUrlTemplate: `${sim.url}/_sim/viewer?msgid={msgid}`,
      callbackTokenUrl: `${sim.url}/_sim/callback-token?corpid=${encodeURIComponent(sim.corpId)}`,
      demo: true,
      createdAt: Date.now(),
    };
    await this.store.setSecrets(DEMO_PROFILE_ID, [
      ['suiteSecret', sim.suite.suiteSecret],
      ['suiteTicket', sim.suite.suiteTicket],
      ['permanentCode', sim.suite.permanentCode],
      [`privateKey.${version}`, sim.privateKeyPem(version)],
    ]);
    await this.store.save(profile);
    await this.store.setActive(DEMO_PROFILE_ID);
    await vscode.commands.executeCommand('setContext', 'wecomArchive.demoRunning', true);
    this.log.info(`Demo simulator started on ${sim.url} with ${sim.messageCount()} messages (seed ${sim.seed}).`);
    this.changed.fire(true);
    return profile;
  }

  async stop(): Promise<void> {
    const sim = this.sim;
    if (!sim) return;
    this.sim = undefined;
    await sim.close();
    await vscode.commands.executeCommand('setContext', 'wecomArchive.demoRunning', false);
    this.log.info('Demo simulator stopped.');
    this.changed.fire(false);
  }

  dispose(): void {
    void this.stop();
    this.changed.dispose();
  }
}
