/**
 * The credential families of the `pii` gate's `credentials` option, each switchable on its own. The grouping
 * follows gitleaks' rule set: vendor tokens by what the vendor is, plus the vendor-neutral shapes (private keys,
 * JWTs, passwords inside URLs and commands, and secret-named assignments).
 */
export const CREDENTIAL_FAMILIES = [
  'cloud',
  'vcs',
  'chat',
  'payment',
  'ai',
  'saas',
  'privateKey',
  'jwt',
  'connectionString',
  'assignment',
] as const;

export type CredentialFamily = (typeof CREDENTIAL_FAMILIES)[number];

export type CredentialSelection = Readonly<Record<CredentialFamily, boolean>>;

/** How a reason names each family (never the matched text). */
export const CREDENTIAL_FAMILY_LABELS: Readonly<Record<CredentialFamily, string>> = {
  cloud: 'cloud provider key',
  vcs: 'code hosting or CI token',
  chat: 'chat token or webhook',
  payment: 'payment provider key',
  ai: 'AI provider key',
  saas: 'SaaS API token',
  privateKey: 'private key',
  jwt: 'JWT',
  connectionString: 'password in a URL or command',
  assignment: 'secret-named value',
};

/** Index of each family in per-family count arrays. */
export const FAMILY_INDEX: Readonly<Record<CredentialFamily, number>> = Object.freeze(
  Object.fromEntries(CREDENTIAL_FAMILIES.map((family, index) => [family, index])) as Record<CredentialFamily, number>,
);

export const ALL_CREDENTIAL_FAMILIES: CredentialSelection = Object.freeze(
  Object.fromEntries(CREDENTIAL_FAMILIES.map((family) => [family, true])) as Record<CredentialFamily, boolean>,
);

/**
 * Reads the gate's `credentials` option: a boolean switches every family, an object switches the families it
 * names (the others stay on). Throws on anything else, at gate construction.
 */
export function credentialSelection(value: unknown): CredentialSelection {
  if (value === undefined || value === true) return ALL_CREDENTIAL_FAMILIES;
  if (value === false) {
    return Object.freeze(Object.fromEntries(CREDENTIAL_FAMILIES.map((f) => [f, false])) as Record<CredentialFamily, boolean>);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError('pii: credentials must be a boolean or an object of credential families');
  }
  const selection: Record<CredentialFamily, boolean> = { ...ALL_CREDENTIAL_FAMILIES };
  for (const [key, flag] of Object.entries(value)) {
    if (!(key in FAMILY_INDEX)) {
      throw new TypeError(`pii: unknown credential family "${key}" (known: ${CREDENTIAL_FAMILIES.join(', ')})`);
    }
    if (typeof flag !== 'boolean') throw new TypeError(`pii: credentials.${key} must be a boolean`);
    selection[key as CredentialFamily] = flag;
  }
  return Object.freeze(selection);
}
