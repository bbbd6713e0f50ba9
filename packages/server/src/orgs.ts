/** Organisations and keys as the CLI and the admin routes create them: one place that knows how a key is made. */
import { generateKey, hashKey, keyHint, newKeyId, newOrgId } from './auth/keys.js';
import type { SecretBox } from './auth/crypto.js';
import type { KeyRecord, KeyType, NewKey, Organization, Store } from './store/types.js';

export interface IssuedKey {
  record: KeyRecord;
  /** The plaintext key: returned once, never stored. */
  key: string;
}

export async function createOrganization(store: Store, name: string, at = Date.now()): Promise<Organization> {
  const org: Organization = { id: newOrgId(), name, created_at: at, ingest_limit: null, default_limit: null, require_signed_ingest: false };
  await store.createOrganization(org);
  return org;
}

export async function issueKey(
  store: Store,
  box: SecretBox,
  orgId: string,
  type: KeyType,
  label: string | null = null,
  at = Date.now(),
): Promise<IssuedKey> {
  const { key, record } = newKey(box, orgId, type, label, at);
  return { record: await store.createKey(record), key };
}

/** A key and the record that stores it (hashed; a secret key also sealed), not yet stored. */
function newKey(box: SecretBox, orgId: string, type: KeyType, label: string | null, at: number): { key: string; record: NewKey } {
  const key = generateKey(type);
  const id = newKeyId();
  const record: NewKey = {
    id,
    org_id: orgId,
    type,
    label,
    hash: hashKey(key),
    hint: keyHint(key),
    created_at: at,
    // Secret keys stay recoverable, encrypted, because HMAC verification needs the key itself. The key id is bound
    // in as associated data, so a ciphertext copied onto another key's row does not open there.
    secret_ciphertext: type === 'secret' ? box.seal(key, id) : null,
  };
  return { key, record };
}

export interface Bootstrap {
  org: Organization;
  publishable: IssuedKey;
  secret: IssuedKey;
}

/**
 * On an empty store: one organisation with one key of each type. Returns null when the store already has one,
 * including when another instance starting at the same moment created it first.
 */
export async function bootstrapIfEmpty(store: Store, box: SecretBox, at = Date.now()): Promise<Bootstrap | null> {
  if ((await store.listOrganizations()).length > 0) return null;
  const org: Organization = { id: newOrgId(), name: 'default', created_at: at, ingest_limit: null, default_limit: null, require_signed_ingest: false };
  const publishable = newKey(box, org.id, 'publishable', 'bootstrap', at);
  const secret = newKey(box, org.id, 'secret', 'bootstrap', at);
  if (!(await store.createFirstOrganization(org, [publishable.record, secret.record]))) return null;
  const stored = (record: NewKey): KeyRecord => ({ ...record, last_used_at: null, revoked_at: null });
  return {
    org,
    publishable: { key: publishable.key, record: stored(publishable.record) },
    secret: { key: secret.key, record: stored(secret.record) },
  };
}
