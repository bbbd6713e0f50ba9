import { Link } from '../components/Link.js';
import { useDocumentTitle } from '../lib/hooks.js';

export function NotFoundPage() {
  useDocumentTitle('Not found');
  return (
    <section>
      <h1 tabIndex={-1}>Page not found</h1>
      <p>
        There is no page at this address. Go to the <Link href="/agents">agents</Link> or the <Link href="/events">events</Link>.
      </p>
    </section>
  );
}
