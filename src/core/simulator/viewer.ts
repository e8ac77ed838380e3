// A stand-in for the provider's viewer page: in production that page hosts WeCom's message display
// component (it alone can show content). Demo mode's "Open in viewer" lands here and shows what the
// simulator knows of the message, as escaped text under a CSP that allows no script at all.
import type { SimMessage } from './simulation';

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export const VIEWER_CSP = "default-src 'none'; style-src 'unsafe-inline'";

export function viewerPage(message: SimMessage | undefined, msgid: string): { status: number; html: string } {
  const row = (k: string, v: string) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`;
  const body = message
    ? `<table>${[
        row('msgid', message.msgid),
        row('msgtype', String(message.msgtype)),
        row('send_time', `${message.send_time} (${new Date(message.send_time * 1000).toISOString()})`),
        row('sender', `${message.sender.type}:${message.sender.id}`),
        row('receivers', message.receiver_list.map((r) => `${r.type}:${r.id}`).join(', ')),
        row('chatid', message.chatid ?? '—'),
        row('content', message.content ?? '(the simulator keeps content only for the searchable msgtypes)'),
      ].join('')}</table>`
    : `<p>Unknown msgid: ${escapeHtml(msgid)}</p>`;
  const html = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>WeCom simulator · message viewer</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:60em}th{text-align:left;padding-right:1em;vertical-align:top}td{white-space:pre-wrap;word-break:break-all}.note{color:#666}</style></head>
<body><h1>Message viewer (simulator)</h1>
<p class="note">Stands in for your viewer page, which hosts WeCom's message display component. Only that component can show real message content.</p>
${body}</body></html>`;
  return { status: message ? 200 : 404, html };
}
