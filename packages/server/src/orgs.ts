/** Organisations and keys as the CLI and the admin routes create them: one place that knows how a key is made. */
import { generateKey, hashKey, keyHint, newKeyId, newOrgId } from './auth/keys.js';
import type { SecretBox } from './auth/crypto.js';
import type { KeyRecord, KeyType, Organization, Store } from './store/types.js';

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
  const key = generateKey(type);
  const id = newKeyId();
  const record = await store.createKey({
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
  });
  return { record, key };
}

export interface Bootstrap {
  org: Organization;
  publishable: IssuedKey;
  secret: IssuedKey;
}

/** On an empty store: one organisation with one key of each type. Returns null when the store already has one. */
export async function bootstrapIfEmpty(store: Store, box: SecretBox): Promise<Bootstrap | null> {
  if ((await store.listOrganizations()).length > 0) return null;
  const org = await createOrganization(store, 'default');
  const publishable = await issueKey(store, box, org.id, 'publishable', 'bootstrap');
  const secret = await issueKey(store, box, org.id, 'secret', 'bootstrap');
  return { org, publishable, secret };
}
