/**
 * The peer for the credential evaluation: secretlint's core with its recommended rule preset (npm, MIT), the rule set
 * a user of Node.js would pick to find secrets in text. Installed as a root dev dependency used by eval/ only (11.x:
 * the last major that runs on Node 20).
 */
import { lintSource } from '@secretlint/core';
import { creator as recommended } from '@secretlint/secretlint-rule-preset-recommend';

export const SECRETLINT_LABEL = 'secretlint 11.7.1, preset-recommend';

const CONFIG = { rules: [{ id: recommended.meta.id, rule: recommended }] };

/** Whether secretlint reports anything in `text`, linted as a plain-text file. */
export async function secretlintFinds(text: string): Promise<boolean> {
  const result = await lintSource({
    source: { filePath: '/eval/record.txt', content: text, contentType: 'text' },
    options: { config: CONFIG, maskSecrets: true, noPhysicFilePath: true },
  });
  return result.messages.length > 0;
}
