// Fills the store with a realistic history and, later, with new arrivals: msgtypes in realistic
// proportions, a daily rhythm in China time, senders drawn from each conversation's members.
import { type ContentTable, addContent, categoryOf } from './content';
import { type Corp, PartyType } from './corp';
import { WeightedPicker, pickInt, streamFor } from './prng';
import type { MessageRow, MessageStore } from './store';

/** Relative frequency of each msgtype 0..28: mostly text and images, a little of everything. */
const TYPE_WEIGHTS: readonly number[] = [
  0.2, // 0 unsupported
  55, // 1 text
  15, // 2 image
  4, // 3 sticker
  2, // 4 link
  1, // 5 mini-program
  3, // 6 voice
  2, // 7 video
  3, // 8 file
  0.5, // 9 card
  1, // 10 forwarded
  0.3, // 11 channels
  0.3, // 12 calendar
  0.5, // 13 red packet
  0.5, // 14 location
  0.3, // 15 quick meeting
  0.3, // 16 todo
  0.2, // 17 vote
  1, // 18 online doc
  0.5, // 19 news
  2, // 20 mixed
  0.5, // 21 audio archive
  1, // 22 call
  0.7, // 23 WeDrive file
  0.4, // 24 consent given
  0.1, // 25 consent refused
  0.2, // 26 group chain
  0.3, // 27 markdown
  0.2, // 28 note
];

/** Messages per hour of the day (China time): busy 9–12 and 14–18, quiet at night. */
const HOUR_WEIGHTS: readonly number[] = [
  0.3, 0.15, 0.1, 0.05, 0.05, 0.1, 0.3, 0.8, 2, 6, 7, 6.5, 2.5, 3, 6, 6.5, 6.5, 5.5, 2.5, 1.5, 1.5, 1.2, 0.8, 0.5,
];

const CHINA_OFFSET = 8 * 3600;
const DAY = 86400;

/** What a caller may force on messages it adds (control API). */
export interface MessageOverride {
  msgtype?: number;
  /** Searchable content; only meaningful for searchable msgtypes. */
  content?: string;
  /** Conversation index in the corp. */
  conv?: number;
}

export class MessageFactory {
  private readonly typePicker = new WeightedPicker(TYPE_WEIGHTS);
  private readonly hourPicker = new WeightedPicker(HOUR_WEIGHTS);
  private readonly convPicker: WeightedPicker;
  private readonly arrivals: () => number;
  private readonly row: MessageRow = { sendTime: 0, conv: 0, senderPos: 0, msgtype: 1, extra: 0 };

  constructor(
    private readonly seed: number,
    private readonly corp: Corp,
    private readonly content: ContentTable,
    private readonly store: MessageStore,
  ) {
    // Zipf-like activity: a few chats are very busy, most are quiet. Shuffled so the busy ones
    // are not all groups (groups come first in the corp table).
    const rand = streamFor(seed, 'activity');
    const n = corp.conversations.length;
    const rank = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = pickInt(rand, i + 1);
      [rank[i], rank[j]] = [rank[j]!, rank[i]!];
    }
    this.convPicker = new WeightedPicker(rank.map((r) => 1 / (r + 1) ** 0.8));
    this.arrivals = streamFor(seed, 'arrivals');
  }

  /** Generates `count` messages spread over the `days` before `now`, in send-time order. */
  generateHistory(count: number, days: number, now: number): void {
    const rand = streamFor(this.seed, 'history');
    const from = now - Math.floor(days * DAY);
    const todayStart = Math.floor((now + CHINA_OFFSET) / DAY) * DAY - CHINA_OFFSET;
    const dayCount = Math.ceil(days) + 1;
    const times = new Uint32Array(count);
    for (let i = 0; i < count; i++) {
      let t: number;
      for (;;) {
        const dayStart = todayStart - pickInt(rand, dayCount) * DAY;
        t = dayStart + this.hourPicker.pick(rand) * 3600 + pickInt(rand, 3600);
        if (t < from || t > now) continue;
        const weekday = new Date((t + CHINA_OFFSET) * 1000).getUTCDay();
        if ((weekday === 0 || weekday === 6) && rand() > 0.25) continue;
        break;
      }
      times[i] = t;
    }
    times.sort();
    for (let i = 0; i < count; i++) this.appendOne(rand, times[i]!, undefined);
  }

  /** Appends `count` messages sent at `now` (arrivals and the control API). Returns first index. */
  appendNow(count: number, now: number, override?: MessageOverride): number {
    const first = this.store.length;
    for (let i = 0; i < count; i++) this.appendOne(this.arrivals, now, override);
    return first;
  }

  private appendOne(rand: () => number, sendTime: number, override: MessageOverride | undefined): number {
    const { corp } = this;
    const row = this.row;
    row.sendTime = sendTime;
    row.conv = override?.conv ?? this.convPicker.pick(rand);
    const conv = corp.conversations[row.conv]!;
    row.senderPos = pickInt(rand, conv.members.length);
    let type = override?.msgtype ?? this.typePicker.pick(rand);
    const sender = corp.parties[conv.members[row.senderPos]!]!;
    if (type === 24 || type === 25) {
      // Consent events exist only in single chats with an external contact, who is the sender.
      if (conv.kind === 'single' && conv.withExternal) {
        row.senderPos = corp.parties[conv.members[0]!]!.type === PartyType.external ? 0 : 1;
      } else if (override?.msgtype === undefined) {
        type = 1;
      }
    } else if (sender.type === PartyType.robot && override?.msgtype === undefined && type !== 1 && type !== 4) {
      type = 27; // robots post text, links and markdown
    }
    row.msgtype = type;
    row.extra = this.extraFor(rand, type, override?.content);
    return this.store.append(row);
  }

  private extraFor(rand: () => number, type: number, content: string | undefined): number {
    if (type === 21 || type === 22) return 3 + Math.floor(rand() ** 2 * 1800); // call seconds
    const category = categoryOf(type);
    if (category === undefined) return 0;
    if (content !== undefined) return addContent(this.content, content);
    const [start, end] = this.content.ranges[category];
    return start + pickInt(rand, end - start);
  }
}
