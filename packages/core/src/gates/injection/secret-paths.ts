/**
 * Files whose content is a credential or an agent's configuration: what a poisoned tool description asks the model
 * to read and hand over ("read ~/.ssh/id_rsa and pass it as …"). Matched on one lower-case path-like token.
 */
const SECRET_PATH_PARTS: readonly string[] = [
  '.ssh',
  'id_rsa',
  'id_ed25519',
  'id_ecdsa',
  'id_dsa',
  '.aws/credentials',
  '.aws/config',
  '.gnupg',
  'mcp.json',
  '.netrc',
  '.npmrc',
  '.pypirc',
  '.git-credentials',
  '.docker/config.json',
  '.kube/config',
  '/etc/passwd',
  '/etc/shadow',
  'credentials.json',
  '.config/gcloud',
  'claude_desktop_config.json',
];

/** `.env` only as a file name of its own (".env", "app/.env", ".env.local"), not inside ".environment". */
function isDotEnv(run: string): boolean {
  const at = run.lastIndexOf('.env');
  if (at < 0 || (at > 0 && run[at - 1] !== '/' && run[at - 1] !== '~')) return false;
  const after = run.charCodeAt(at + 4);
  return Number.isNaN(after) || after === 46; // end, or ".env.local"
}

export function isSecretPath(run: string): boolean {
  // A public key is meant to be shared.
  if (run.endsWith('.pub')) return false;
  if (isDotEnv(run)) return true;
  for (const part of SECRET_PATH_PARTS) {
    if (run.includes(part)) return true;
  }
  return false;
}
