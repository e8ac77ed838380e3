// Searchable content of the message types search_msg can match (docs/wecom-api.md §3): text (1), the text of
// mixed messages (20), file names (8), link titles (4), mini-program titles (5), online-doc names
// (18) and WeDrive file names (23). sync_msg never returns it; the simulator keeps it for search.
import { pick, streamFor } from './prng';

export type ContentCategory = 'text' | 'file' | 'link' | 'miniprogram' | 'doc';

/** Which category of content a msgtype carries, or undefined when it is not searchable. */
export function categoryOf(msgtype: number): ContentCategory | undefined {
  switch (msgtype) {
    case 1:
    case 20:
      return 'text';
    case 8:
    case 23:
      return 'file';
    case 4:
      return 'link';
    case 5:
      return 'miniprogram';
    case 18:
      return 'doc';
    default:
      return undefined;
  }
}

const TOPICS = ['合同', '报价', '发票', '项目', '需求', '方案', '会议', '培训', '预算', '订单', '售后', '招聘'];
const TOPICS_EN = ['contract', 'quote', 'invoice', 'project', 'roadmap', 'meeting', 'budget', 'order', 'release', 'Q3 report'];
const TEXT_ZH = [
  '请确认一下{t}的细节',
  '{t}已经发给你了，麻烦查收',
  '明天上午十点开{t}评审',
  '客户对{t}有新的意见',
  '{t}的截止日期是下周五',
  '收到，谢谢！{t}我今天处理',
  '欢迎加入，有{t}问题随时找我',
  '这个{t}需要领导审批',
  '{t}的最新版本在群文件里',
  '好的，{t}没问题',
];
const TEXT_EN = [
  'Please review the {t} before Friday',
  'Sent you the {t}, let me know',
  'Can we move the {t} call to 3pm?',
  'The {t} is approved, thanks!',
  'Any update on the {t}?',
  'Welcome aboard! Ping me about the {t}',
];
const FILE_EXT = ['pdf', 'docx', 'xlsx', 'pptx', 'zip', 'png'];
const LINK_ZH = ['{t}最佳实践指南', '一文读懂{t}', '{t}常见问题解答', '关于{t}的通知'];
const LINK_EN = ['How to write a great {t}', 'The {t} checklist', 'Announcing our new {t} process'];
const MINI = ['{t}助手', '{t}小程序', '企业{t}服务', '{t}查询'];
const DOC = ['{t}跟踪表', '{t}会议纪要', '{t} tracker', '{t}模板', '{t} notes'];

/** How many distinct strings per category: big enough to look varied, small enough to scan. */
const PER_CATEGORY = 600;

export interface ContentTable {
  /** All strings; messages store an index into it. Grows when tests add custom content. */
  readonly strings: string[];
  /** Lower-cased copies for case-insensitive matching. */
  readonly lower: string[];
  /** [start, end) of each generated category in `strings`. */
  readonly ranges: Readonly<Record<ContentCategory, readonly [number, number]>>;
}

function fill(template: string, topic: string): string {
  return template.replace('{t}', topic);
}

function generate(rand: () => number, category: ContentCategory): string {
  const zh = rand() < 0.65;
  const topic = zh ? pick(rand, TOPICS) : pick(rand, TOPICS_EN);
  const n = 1 + Math.floor(rand() * 20);
  switch (category) {
    case 'text':
      return fill(pick(rand, zh ? TEXT_ZH : TEXT_EN), topic) + (rand() < 0.3 ? ` #${n}` : '');
    case 'file':
      return `${topic}_${zh ? '第' : 'v'}${n}${zh ? '版' : ''}.${pick(rand, FILE_EXT)}`;
    case 'link':
      return fill(pick(rand, zh ? LINK_ZH : LINK_EN), topic);
    case 'miniprogram':
      return fill(pick(rand, MINI), topic);
    case 'doc':
      return `${fill(pick(rand, DOC), topic)} ${n}`;
  }
}

export function buildContentTable(seed: number): ContentTable {
  const rand = streamFor(seed, 'content');
  const strings: string[] = [];
  const categories: ContentCategory[] = ['text', 'file', 'link', 'miniprogram', 'doc'];
  const ranges = {} as Record<ContentCategory, readonly [number, number]>;
  for (const c of categories) {
    const start = strings.length;
    for (let i = 0; i < PER_CATEGORY; i++) strings.push(generate(rand, c));
    ranges[c] = [start, strings.length];
  }
  return { strings, lower: strings.map((s) => s.toLowerCase()), ranges };
}

/** Adds a custom string (control API) and returns its index. */
export function addContent(table: ContentTable, s: string): number {
  table.strings.push(s);
  table.lower.push(s.toLowerCase());
  return table.strings.length - 1;
}
