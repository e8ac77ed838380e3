// The simulated corp's data and clock, independent of HTTP: the store, its generator, keys and
// msgids. Handlers and control functions both work on this.
import type { SimClock } from './clock';
import { type ContentTable, buildContentTable, categoryOf } from './content';
import { type Corp, type CorpSize, buildCorp } from './corp';
import { CursorCodec } from './cursor';
import { type MessageOverride, MessageFactory } from './generator';
import { KeyRing, type MessageSecret } from './keys';
import { MsgIdCodec } from './msgid';
import { RAW_MSGTYPE, type RawMessageInput, RawMessages } from './rawMessages';
import { MessageSerializer, type WeComMessage } from './serialize';
import { MessageStore } from './store';

export const DAY_SECONDS = 86400;
/** sync_msg returns only messages of the last 5 days (docs/wecom-api.md §2). */
export const RETENTION_SECONDS = 5 * DAY_SECONDS;
/** Without a cursor, sync_msg starts at the earliest message of the last 3 days (docs/wecom-api.md §2). */
export const FIRST_SYNC_SECONDS = 3 * DAY_SECONDS;

/** A message as the control API shows it: WeCom's shape plus what only the simulator knows. */
export interface SimMessage extends WeComMessage {
  /** Searchable content (text, file name, title…) for the searchable msgtypes. */
  content?: string;
}

export interface SimulationInit {
  seed: number;
  messages: number;
  days: number;
  corpSize?: CorpSize;
  initialPublicKey?: { publicKeyPem: string; version: number };
}

export class Simulation {
  readonly corp: Corp;
  readonly content: ContentTable;
  readonly store: MessageStore;
  readonly msgids: MsgIdCodec;
  readonly cursors = new CursorCodec();
  readonly serializer: MessageSerializer;
  readonly raws = new RawMessages();
  private readonly factory: MessageFactory;

  private constructor(
    readonly clock: SimClock,
    readonly keys: KeyRing,
    init: SimulationInit,
  ) {
    this.corp = buildCorp(init.seed, init.corpSize);
    this.content = buildContentTable(init.seed);
    this.store = new MessageStore(init.messages + 1024);
    this.msgids = new MsgIdCodec(init.seed);
    this.factory = new MessageFactory(init.seed, this.corp, this.content, this.store);
    this.factory.generateHistory(init.messages, init.days, clock.now());
    this.serializer = new MessageSerializer(this.corp, this.store, keys, this.msgids, this.raws);
  }

  static async create(clock: SimClock, init: SimulationInit): Promise<Simulation> {
    const keys = await KeyRing.create(init.seed, init.initialPublicKey);
    return new Simulation(clock, keys, init);
  }

  now(): number {
    return this.clock.now();
  }

  /** Adds `count` messages sent now; returns their msgids. */
  addMessages(count: number, override?: MessageOverride): string[] {
    const first = this.factory.appendNow(count, this.clock.now(), override);
    const ids: string[] = [];
    for (let i = first; i < this.store.length; i++) ids.push(this.msgids.encode(i));
    return ids;
  }

  /** Adds messages given whole (sent now, in this order); returns their msgids. */
  addRawMessages(list: readonly RawMessageInput[]): string[] {
    const now = this.clock.now();
    const entries = list.map((m) => this.raws.add(m));
    for (const extra of entries) this.store.append({ sendTime: now, conv: 0, senderPos: 0, msgtype: RAW_MSGTYPE, extra });
    return entries.map((e) => this.raws.get(e)!.msgid);
  }

  /** Index of a msgid, or -1. */
  indexOf(msgid: string): number {
    const raw = this.raws.indexOf(msgid);
    if (raw !== undefined) {
      // The store row that holds this raw entry (raw rows are few: a scan is fine).
      for (let i = this.store.length - 1; i >= 0; i--) if (this.store.msgtype(i) === RAW_MSGTYPE && this.store.extra(i) === raw) return i;
    }
    const i = this.msgids.decode(msgid);
    return i >= 0 && i < this.store.length && this.store.msgtype(i) !== RAW_MSGTYPE ? i : -1;
  }

  message(i: number): SimMessage {
    const m: SimMessage = this.serializer.view(i);
    const content = this.contentAt(i);
    if (content !== undefined) m.content = content;
    return m;
  }

  contentAt(i: number): string | undefined {
    if (this.store.msgtype(i) === RAW_MSGTYPE) return this.raws.get(this.store.extra(i))?.content;
    return categoryOf(this.store.msgtype(i)) === undefined ? undefined : this.content.strings[this.store.extra(i)];
  }

  /** Messages with from <= send_time <= to, ascending (the generator's ground truth for tests). */
  listMessages(from = 0, to = Number.MAX_SAFE_INTEGER): SimMessage[] {
    const out: SimMessage[] = [];
    const end = this.store.firstAtOrAfter(to + 1);
    for (let i = this.store.firstAtOrAfter(from); i < end; i++) out.push(this.message(i));
    return out;
  }

  secretOf(msgid: string): MessageSecret | undefined {
    const i = this.indexOf(msgid);
    return i < 0 ? undefined : this.keys.secretOf(i);
  }
}
