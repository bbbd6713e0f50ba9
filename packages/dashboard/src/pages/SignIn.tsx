import { useState } from 'preact/hooks';
import { api, ApiError } from '../lib/api.js';
import { useDocumentTitle } from '../lib/hooks.js';
import { isKeyFormat, signIn } from '../lib/session.js';

export function SignInPage({ notice }: { notice: string | null }) {
  useDocumentTitle('Sign in');
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const onSubmit = async (event: Event) => {
    event.preventDefault();
    const candidate = key.trim();
    if (!isKeyFormat(candidate)) {
      setError('A key looks like pk_live_… or sk_live_… followed by 32 letters and digits.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await api.checkKey(candidate);
      signIn(candidate);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'Sign-in failed. Try again.');
      setBusy(false);
    }
  };

  return (
    <main class="signin" id="main">
      <form class="signin-card" onSubmit={onSubmit} aria-labelledby="signin-title" noValidate>
        <div class="brand brand-large" aria-hidden="true">
          <span class="brand-mark">P</span>
          Pecta
        </div>
        <h1 id="signin-title">Sign in</h1>
        {notice && (
          <p class="notice" role="alert" data-testid="signin-notice">
            {notice}
          </p>
        )}
        <label for="api-key">API key</label>
        <input
          id="api-key"
          name="api-key"
          type="password"
          class="input mono"
          value={key}
          onInput={(e) => setKey((e.currentTarget as HTMLInputElement).value)}
          placeholder="pk_live_… or sk_live_…"
          autoComplete="off"
          spellcheck={false}
          autoFocus
          required
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={error ? 'signin-error signin-help' : 'signin-help'}
        />
        {error && (
          <p id="signin-error" class="field-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="button button-primary" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
        <div id="signin-help" class="help">
          <p>
            A <strong>publishable</strong> key (<code>pk_live_…</code>) shows agents and events, read-only. A{' '}
            <strong>secret</strong> key (<code>sk_live_…</code>) can also create and revoke keys.
          </p>
          <p>The key stays in this browser tab only (session storage) and is forgotten when the tab is closed.</p>
        </div>
      </form>
    </main>
  );
}
