// How each msgtype looks: its codicon, and whether it is a system row. Pure data (no DOM), shared
// by the row renderer and the stream's item heights.

/** A codicon per msgtype (docs/wecom-api.md §4); unknown numbers get `question`. */
const MSGTYPE_ICONS: readonly string[] = [
  'warning', // 0 unsupported
  'comment', // 1 text
  'file-media', // 2 image
  'smiley', // 3 sticker
  'link', // 4 link
  'rocket', // 5 mini program
  'mic', // 6 voice
  'device-camera-video', // 7 video
  'file', // 8 file
  'account', // 9 contact card
  'comment-discussion', // 10 forwarded chat record
  'play-circle', // 11 Channels
  'calendar', // 12 calendar
  'gift', // 13 red packet
  'location', // 14 location
  'organization', // 15 quick meeting
  'checklist', // 16 to-do
  'graph', // 17 vote
  'book', // 18 online document
  'preview', // 19 news
  'file-text', // 20 mixed text and image
  'call-incoming', // 21 audio archive
  'call-outgoing', // 22 audio/video call
  'cloud', // 23 WeDrive file
  'pass', // 24 consent given
  'circle-slash', // 25 consent refused
  'list-ordered', // 26 group chain
  'markdown', // 27 markdown
  'note', // 28 note
];

export function msgtypeIcon(msgtype: number): string {
  return (Number.isInteger(msgtype) && MSGTYPE_ICONS[msgtype]) || 'question';
}

/** Consent events are system rows, centred, without a conversation look. */
export const SYSTEM_MSGTYPES: ReadonlySet<number> = new Set([24, 25]);
