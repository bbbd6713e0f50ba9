import type { JSX } from 'preact';
import { useEffect } from 'preact/hooks';
import { Layout } from './components/Layout.js';
import { matchAgentPath, navigate, useLocation } from './lib/router.js';
import { useSession } from './lib/session.js';
import { AgentPage } from './pages/Agent.js';
import { AgentsPage } from './pages/Agents.js';
import { EventsPage } from './pages/Events.js';
import { KeysPage } from './pages/Keys.js';
import { NotFoundPage } from './pages/NotFound.js';
import { SignInPage } from './pages/SignIn.js';

export function App() {
  const { session, notice } = useSession();
  const location = useLocation();
  const { pathname } = location;

  useEffect(() => {
    if (session && (pathname === '/' || pathname === '/settings' || pathname === '/settings/')) {
      navigate(pathname === '/' ? '/agents' : '/settings/keys', { replace: true });
    }
  }, [session, pathname]);

  // Signed out, every address shows the sign-in form and stays put: signing in continues where the link pointed.
  if (!session) return <SignInPage notice={notice} />;

  const agentId = matchAgentPath(pathname);
  let page: JSX.Element;
  if (pathname === '/agents' || pathname === '/agents/' || pathname === '/') page = <AgentsPage />;
  else if (agentId !== null) page = <AgentPage key={agentId} agentId={agentId} />;
  else if (pathname === '/events') page = <EventsPage search={location.search} />;
  else if (pathname === '/settings/keys' || pathname === '/settings' || pathname === '/settings/') page = <KeysPage session={session} />;
  else page = <NotFoundPage />;

  return (
    <Layout session={session} pathname={pathname}>
      {page}
    </Layout>
  );
}
