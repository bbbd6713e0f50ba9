/** A router small enough to read: the URL is the state, `navigate` changes it, `useLocation` re-renders on change. */
import { useEffect, useState } from 'preact/hooks';

export interface Location {
  pathname: string;
  search: string;
}

const listeners = new Set<() => void>();

function snapshot(): Location {
  return { pathname: window.location.pathname, search: window.location.search };
}

function notify(): void {
  for (const listener of listeners) listener();
}

window.addEventListener('popstate', notify);

/** `replace` for changes that should not each become a Back step (typing in a filter). */
export function navigate(to: string, options: { replace?: boolean } = {}): void {
  const current = window.location.pathname + window.location.search;
  if (to === current) return;
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  notify();
}

export function useLocation(): Location {
  const [location, setLocation] = useState(snapshot);
  useEffect(() => {
    const listener = () => {
      const next = snapshot();
      setLocation((prev) => (prev.pathname === next.pathname && prev.search === next.search ? prev : next));
    };
    listeners.add(listener);
    listener();
    return () => void listeners.delete(listener);
  }, []);
  return location;
}

/** `/agents/:agentId` → the decoded id, or null. */
export function matchAgentPath(pathname: string): string | null {
  const match = /^\/agents\/(.+?)\/?$/.exec(pathname);
  if (!match) return null;
  try {
    return decodeURIComponent(match[1]!);
  } catch {
    return null;
  }
}

export function agentPath(agentId: string): string {
  return `/agents/${encodeURIComponent(agentId)}`;
}
