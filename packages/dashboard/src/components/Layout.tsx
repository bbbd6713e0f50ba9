import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { signOut, type Session } from '../lib/session.js';
import { Link } from './Link.js';

interface NavItem {
  href: string;
  label: string;
  active: (pathname: string) => boolean;
  secretOnly?: boolean;
}

const NAV: NavItem[] = [
  { href: '/agents', label: 'Agents', active: (p) => p === '/agents' || p.startsWith('/agents/') },
  { href: '/events', label: 'Events', active: (p) => p === '/events' },
  { href: '/settings/keys', label: 'API keys', active: (p) => p.startsWith('/settings'), secretOnly: true },
];

export function Layout({ session, pathname, children }: { session: Session; pathname: string; children: ComponentChildren }) {
  const main = useRef<HTMLElement>(null);
  // After an in-app navigation, move focus to the new page's heading, as a full page load would for a screen reader.
  const first = useRef(true);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the effect runs because the page changed; it reads the DOM, not pathname
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.querySelector<HTMLElement>('h1')?.focus();
  }, [pathname]);

  return (
    <div class="shell">
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <Link href="/agents" class="brand" aria-label="Pecta home">
          <span class="brand-mark" aria-hidden="true">
            P
          </span>
          Pecta
        </Link>
        <nav aria-label="Main" class="nav">
          <ul>
            {NAV.filter((item) => !item.secretOnly || session.kind === 'secret').map((item) => (
              <li key={item.href}>
                <Link href={item.href} aria-current={item.active(pathname) ? 'page' : undefined}>
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div class="whoami">
          <span class="key-hint mono" title={session.kind === 'secret' ? 'Secret key: read and manage keys' : 'Publishable key: read-only'}>
            <span class="visually-hidden">Signed in with </span>
            {session.hint}
          </span>
          <span class={`kind kind-${session.kind}`}>{session.kind === 'secret' ? 'admin' : 'read-only'}</span>
          <button type="button" class="button button-quiet" onClick={() => signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" ref={main} class="main">
        {children}
      </main>
    </div>
  );
}
