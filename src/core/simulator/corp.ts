// One simulated corp: employees, external contacts, robots, groups and single chats. Parties and
// conversations live in flat tables so each message only stores small integers.
import { pick, pickInt, randomId, streamFor } from './prng';

/** WeCom's party types in sender / receiver_list. */
export const PartyType = { employee: 1, external: 2, robot: 3 } as const;
export type PartyTypeValue = (typeof PartyType)[keyof typeof PartyType];

export interface Party {
  readonly type: PartyTypeValue;
  /** open_userid (wo…), external_userid (wm…) or robot id (wb…). */
  readonly id: string;
  readonly name: string;
  /** `{"type":N,"id":"…"}`, precomputed for serialization. */
  readonly json: string;
}

export interface Conversation {
  readonly kind: 'single' | 'group';
  /** Party indices; for singles exactly two. */
  readonly members: Uint32Array;
  /** Group chat id (wr…); undefined for single chats. */
  readonly chatid: string | undefined;
  readonly name: string;
  /** Single chat between an employee and an external contact (consent events happen only here). */
  readonly withExternal: boolean;
}

export interface Corp {
  readonly corpid: string;
  readonly parties: readonly Party[];
  readonly conversations: readonly Conversation[];
  readonly partyById: ReadonlyMap<string, number>;
  readonly groupByChatId: ReadonlyMap<string, number>;
  /** Key `a|b` with a < b (party indices) → single-chat conversation index. */
  readonly singleByPair: ReadonlyMap<string, number>;
}

export interface CorpSize {
  employees: number;
  externals: number;
  robots: number;
  groups: number;
  singleChats: number;
}

export const DEFAULT_CORP_SIZE: CorpSize = {
  employees: 120,
  externals: 400,
  robots: 4,
  groups: 80,
  singleChats: 700,
};

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭'];
const GIVEN = ['伟', '芳', '娜', '敏', '静', '磊', '强', '洋', '艳', '杰', '婷', '涛', '明', '超', '霞', '平', '刚', '丽'];
const EN_NAMES = ['Alice', 'Bob', 'Chen', 'David', 'Emma', 'Frank', 'Grace', 'Henry', 'Ivy', 'Jack', 'Kate', 'Leo'];
const GROUP_TOPICS = ['项目', '客户', '销售', '售后', '技术支持', 'Marketing', 'Launch', '产品', '运营', 'Partners'];
const GROUP_SUFFIX = ['群', '沟通群', '服务群', 'team', '讨论组', '对接群'];

function personName(rand: () => number): string {
  if (rand() < 0.15) return pick(rand, EN_NAMES);
  return pick(rand, SURNAMES) + pick(rand, GIVEN) + (rand() < 0.5 ? pick(rand, GIVEN) : '');
}

function partyJson(type: number, id: string): string {
  return `{"type":${type},"id":${JSON.stringify(id)}}`;
}

export function buildCorp(seed: number, size: CorpSize = DEFAULT_CORP_SIZE): Corp {
  const rand = streamFor(seed, 'corp');
  const parties: Party[] = [];
  const partyById = new Map<string, number>();
  const addParty = (type: PartyTypeValue, prefix: string, name: string): number => {
    let id = randomId(rand, prefix, 32);
    while (partyById.has(id)) id = randomId(rand, prefix, 32);
    partyById.set(id, parties.length);
    parties.push({ type, id, name, json: partyJson(type, id) });
    return parties.length - 1;
  };
  const employees: number[] = [];
  const externals: number[] = [];
  const robots: number[] = [];
  for (let i = 0; i < size.employees; i++) employees.push(addParty(PartyType.employee, 'wo', personName(rand)));
  for (let i = 0; i < size.externals; i++) externals.push(addParty(PartyType.external, 'wm', personName(rand)));
  for (let i = 0; i < size.robots; i++) robots.push(addParty(PartyType.robot, 'wb', `机器人${i + 1}`));

  const conversations: Conversation[] = [];
  const groupByChatId = new Map<string, number>();
  const singleByPair = new Map<string, number>();

  for (let g = 0; g < size.groups; g++) {
    // Group sizes skew small, a few large: 3..40 members.
    const n = 3 + Math.floor(rand() ** 2 * 38);
    const members = new Set<number>();
    const customerGroup = rand() < 0.4;
    while (members.size < n) {
      if (customerGroup && rand() < 0.4 && externals.length > 0) members.add(pick(rand, externals));
      else members.add(pick(rand, employees));
    }
    if (robots.length > 0 && rand() < 0.2) members.add(pick(rand, robots));
    let chatid = randomId(rand, 'wr', 32);
    while (groupByChatId.has(chatid)) chatid = randomId(rand, 'wr', 32);
    groupByChatId.set(chatid, conversations.length);
    conversations.push({
      kind: 'group',
      members: Uint32Array.from(members),
      chatid,
      name: pick(rand, GROUP_TOPICS) + pick(rand, GROUP_SUFFIX) + (g + 1),
      withExternal: false,
    });
  }

  let attempts = 0;
  while (singleByPair.size < size.singleChats && attempts++ < size.singleChats * 20) {
    const a = pick(rand, employees);
    const withExternal = rand() < 0.6 && externals.length > 0;
    const b = withExternal ? pick(rand, externals) : pick(rand, employees);
    if (a === b) continue;
    const key = a < b ? `${a}|${b}` : `${b}|${a}`;
    if (singleByPair.has(key)) continue;
    singleByPair.set(key, conversations.length);
    const pa = parties[a]!;
    const pb = parties[b]!;
    conversations.push({
      kind: 'single',
      members: Uint32Array.of(a, b),
      chatid: undefined,
      name: `${pa.name} ↔ ${pb.name}`,
      withExternal,
    });
  }
  const corpid = randomId(rand, 'ww', 18);
  return { corpid, parties, conversations, partyById, groupByChatId, singleByPair };
}

/** The key used in Corp.singleByPair for two parties, in either order. */
export function pairKey(a: number, b: number): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

/** A random conversation member index, for generators that need "anyone in this chat". */
export function randomMemberPos(rand: () => number, conv: Conversation): number {
  return pickInt(rand, conv.members.length);
}
