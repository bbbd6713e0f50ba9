import { useRef, useState } from 'preact/hooks';
import { ConfirmDialog } from '../components/ConfirmDialog.js';
import { CopyButton } from '../components/CopyButton.js';
import { Link } from '../components/Link.js';
import { ErrorState, Loading } from '../components/States.js';
import { api, ApiError, type CreatedKey, type KeyInfo } from '../lib/api.js';
import { utcMinutes } from '../lib/format.js';
import { useDocumentTitle, useLoad } from '../lib/hooks.js';
import type { Session } from '../lib/session.js';

export function KeysPage({ session }: { session: Session }) {
  useDocumentTitle('API keys');
  if (session.kind !== 'secret') {
    return (
      <section>
        <h1 tabIndex={-1}>API keys</h1>
        <p class="notice" role="status">
          Managing keys needs a secret key (<code>sk_live_…</code>). You are signed in with a publishable, read-only key.
        </p>
        <p>
          <Link href="/agents">Back to the agents</Link>
        </p>
      </section>
    );
  }
  return <KeyManagement session={session} />;
}

function KeyManagement({ session }: { session: Session }) {
  const list = useLoad((signal) => api.keys(signal).then((r) => r.keys), []);
  const [created, setCreated] = useState<CreatedKey | null>(null);
  const [revoking, setRevoking] = useState<KeyInfo | null>(null);
  const [revokeBusy, setRevokeBusy] = useState(false);
  const [actionError, setActionError] = useState<string | null>(null);

  const revoke = async () => {
    if (!revoking) return;
    setRevokeBusy(true);
    setActionError(null);
    try {
      await api.revokeKey(revoking.id);
      setRevoking(null);
      // Revoking the key in use ends the session: the reload below answers 401 and signs out with a message.
      list.reload();
    } catch (error) {
      setActionError(error instanceof ApiError ? error.message : 'Could not revoke the key.');
      setRevoking(null);
    } finally {
      setRevokeBusy(false);
    }
  };

  return (
    <section>
      <h1 tabIndex={-1}>API keys</h1>
      <p class="muted">
        Publishable keys (<code>pk_live_…</code>) can evaluate, ingest and read. Secret keys (<code>sk_live_…</code>) can also manage keys and
        sign ingest requests. Pecta stores only a hash of each key: a key is shown once, when it is created.
      </p>

      <CreateKeyForm
        onCreated={(key) => {
          setCreated(key);
          list.reload();
        }}
      />
      {created && <NewKey created={created} onDone={() => setCreated(null)} />}
      {actionError && (
        <p class="field-error" role="alert">
          {actionError}
        </p>
      )}

      <h2>Keys of this organisation</h2>
      {list.state === 'error' && <ErrorState error={list.error} onRetry={list.reload} />}
      {list.state === 'loading' && !list.data && <Loading label="Loading keys…" />}
      {list.data && <KeysTable keys={list.data} session={session} busy={list.state === 'loading'} onRevoke={setRevoking} />}

      {revoking && (
        <ConfirmDialog
          title="Revoke this key?"
          confirmLabel="Revoke key"
          busyLabel="Revoking…"
          busy={revokeBusy}
          onConfirm={revoke}
          onCancel={() => setRevoking(null)}
        >
          <p>
            <span class="mono">{revoking.hint}</span>
            {revoking.label ? ` (${revoking.label})` : ''} will be refused from its next request. This cannot be undone.
          </p>
          {revoking.hint === session.hint && (
            <p class="notice">
              <strong>You are signed in with this key.</strong> Revoking it signs you out.
            </p>
          )}
        </ConfirmDialog>
      )}
    </section>
  );
}

function CreateKeyForm({ onCreated }: { onCreated: (key: CreatedKey) => void }) {
  const [type, setType] = useState<KeyInfo['type']>('publishable');
  const [label, setLabel] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const onSubmit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onCreated(await api.createKey(type, label.trim() || undefined));
      setLabel('');
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'Could not create the key.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="panel create-key" onSubmit={onSubmit} aria-labelledby="create-key-title">
      <h2 id="create-key-title">Create a key</h2>
      <div class="filters">
        <div class="field">
          <label for="key-type">Type</label>
          <select id="key-type" class="input" value={type} onChange={(e) => setType((e.currentTarget as HTMLSelectElement).value as KeyInfo['type'])}>
            <option value="publishable">Publishable (pk_live_)</option>
            <option value="secret">Secret (sk_live_)</option>
          </select>
        </div>
        <div class="field field-grow">
          <label for="key-label">Label (optional)</label>
          <input
            id="key-label"
            class="input"
            value={label}
            maxLength={100}
            placeholder="e.g. ci-runner"
            autoComplete="off"
            onInput={(e) => setLabel((e.currentTarget as HTMLInputElement).value)}
          />
        </div>
        <div class="field field-action">
          <button type="submit" class="button button-primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create key'}
          </button>
        </div>
      </div>
      {error && (
        <p class="field-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

function NewKey({ created, onDone }: { created: CreatedKey; onDone: () => void }) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <div class="new-key" role="region" aria-labelledby="new-key-title" data-testid="new-key">
      <h2 id="new-key-title">New {created.type} key{created.label ? ` “${created.label}”` : ''}</h2>
      <p class="warning" role="alert">
        Copy this key now. It is shown only this once: Pecta keeps only a hash and cannot show it again.
      </p>
      <div class="new-key-row">
        <input
          ref={input}
          class="input mono"
          readOnly
          value={created.key}
          aria-label="The new key"
          onFocus={(e) => (e.currentTarget as HTMLInputElement).select()}
        />
        <CopyButton text={created.key} label="Copy the new key" input={() => input.current} />
      </div>
      <button type="button" class="button button-quiet" onClick={onDone}>
        I have stored the key
      </button>
    </div>
  );
}

function KeysTable({ keys, session, busy, onRevoke }: { keys: KeyInfo[]; session: Session; busy: boolean; onRevoke: (key: KeyInfo) => void }) {
  return (
    <div class="table-scroll" tabIndex={0} role="region" aria-label="API keys table">
      <table class="table keys-table" aria-busy={busy ? 'true' : 'false'}>
        <caption class="visually-hidden">API keys of this organisation</caption>
        <thead>
          <tr>
            <th scope="col">Key</th>
            <th scope="col">Label</th>
            <th scope="col">Type</th>
            <th scope="col">Created (UTC)</th>
            <th scope="col">Last used (UTC)</th>
            <th scope="col">Status</th>
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {keys.map((key) => (
            <tr key={key.id} data-key-id={key.id} class={key.revoked ? 'revoked' : undefined}>
              <td class="mono nowrap">
                {key.hint}
                {key.hint === session.hint && <span class="tag">this session</span>}
              </td>
              <td>{key.label ?? <span class="muted">—</span>}</td>
              <td>{key.type}</td>
              <td class="nowrap">{utcMinutes(key.created_at)}</td>
              <td class="nowrap">{key.last_used_at ? utcMinutes(key.last_used_at) : <span class="muted">never</span>}</td>
              <td>
                {key.revoked ? (
                  <span class="status status-revoked" title={key.revoked_at ? `revoked ${utcMinutes(key.revoked_at)} UTC` : undefined}>
                    revoked
                  </span>
                ) : (
                  <span class="status status-active">active</span>
                )}
              </td>
              <td>
                {!key.revoked && (
                  <button
                    type="button"
                    class="button button-danger-quiet"
                    onClick={() => onRevoke(key)}
                    aria-label={`Revoke key ${key.hint}${key.label ? ` (${key.label})` : ''}`}
                  >
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
