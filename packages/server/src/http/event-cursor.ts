/**
 * The cursor of GET /v1/events: an opaque string that names where a page ended (an event's time and recording
 * order). Clients pass it back unchanged; it carries no filter, so the same filters must come with it.
 */
import type { EventPosition } from '../store/types.js';

const VERSION = 'c1';

export function encodeCursor(position: EventPosition): string {
  return Buffer.from(`${VERSION}.${position.created_at}.${position.seq}`).toString('base64url');
}

/** The position, or null for anything this server did not issue. */
export function decodeCursor(cursor: string): EventPosition | null {
  if (!/^[A-Za-z0-9_-]{1,80}$/.test(cursor)) return null;
  const match = /^c1\.(\d{1,16})\.(\d{1,16})$/.exec(Buffer.from(cursor, 'base64url').toString('latin1'));
  if (!match) return null;
  const created_at = Number(match[1]);
  const seq = Number(match[2]);
  return Number.isSafeInteger(created_at) && Number.isSafeInteger(seq) ? { created_at, seq } : null;
}
