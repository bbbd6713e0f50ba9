/**
 * The signed-in key. It lives in sessionStorage only: it survives reloads of this tab, is never shared with other
 * tabs, and is forgotten when the tab closes. Nothing else about the session is persisted.
 */
import { isApiKey, keyTypeOf, type KeyType } from '@pecta/core/wire';
import { useEffect, useState } from 'preact/hooks';

export type KeyKind = KeyType;

export interface Session {
  key: string;
  kind: KeyKind;
  /** Same shape as the server's hint (`sk_live_Ab3x…9QzT`), so the keys page can recognise the key in use. */
  hint: string;
}

const STORAGE_KEY = 'pecta.key';
export function isKeyFormat(key: string): boolean {
  return isApiKey(key);
}

export function keyHint(key: string): string {
  return `${key.slice(0, 12)}…${key.slice(-4)}`;
}

function toSession(key: string | null): Session | null {
  const kind = keyTypeOf(key);
  return kind === null || key === null ? null : { key, kind, hint: keyHint(key) };
}

function readStored(): string | null {
  try {
    return sessionStorage.getItem(STORAGE_KEY);
  } catch {
    // Storage disabled by the browser: the session then lasts until the page is reloaded.
    return null;
  }
}

function writeStored(key: string | null): void {
  try {
    if (key === null) sessionStorage.removeItem(STORAGE_KEY);
    else sessionStorage.setItem(STORAGE_KEY, key);
  } catch {
    /* see readStored */
  }
}

interface SessionState {
  session: Session | null;
  /** Why the last session ended, when it did not end by the user's choice (shown on the sign-in page). */
  notice: string | null;
}

let state: SessionState = { session: toSession(readStored()), notice: null };
const listeners = new Set<() => void>();

function update(next: SessionState): void {
  state = next;
  for (const listener of listeners) listener();
}

export function currentSession(): Session | null {
  return state.session;
}

export function signIn(key: string): void {
  const session = toSession(key);
  if (!session) throw new Error('not an API key');
  writeStored(key);
  update({ session, notice: null });
}

export function signOut(notice: string | null = null): void {
  writeStored(null);
  update({ session: null, notice });
}

export function useSession(): SessionState {
  const [snapshot, setSnapshot] = useState(state);
  useEffect(() => {
    const listener = () => setSnapshot(state);
    listeners.add(listener);
    listener();
    return () => void listeners.delete(listener);
  }, []);
  return snapshot;
}
