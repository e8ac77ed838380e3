import type { IncomingMessage } from 'node:http';

/**
 * A request's body, read until it passes `max` bytes and no further: a body longer than `max`
 * comes back longer than `max` (by at most one chunk), so the caller refuses it by its size
 * without holding what a sender may keep streaming.
 */
export async function readBodyUpTo(req: IncomingMessage, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    chunks.push(chunk as Buffer);
    size += (chunk as Buffer).length;
    if (size > max) break;
  }
  return Buffer.concat(chunks);
}
