import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Meter } from '../../src/budget.js';
import { pii, type PiiDetails, type PiiOptions } from '../../src/gates/pii.js';
import { ALL_CREDENTIAL_FAMILIES, CREDENTIAL_FAMILIES, type CredentialFamily } from '../../src/gates/pii/credentials/families.js';
import { MAX_ASSIGNMENT_CHECKS } from '../../src/gates/pii/credentials/assignment.js';
import { scanCredentials } from '../../src/gates/pii/credentials/scan.js';
import type { GateOutcome } from '../../src/types.js';
import { HOSTILE_SHAPES } from '../fixtures/hostile-shapes.js';

const signal = new AbortController().signal;
const ONLY_CREDENTIALS: PiiOptions = { email: false, phone: false, ssn: false, card: false, iban: false, ip: false };

function check(output: unknown, options?: PiiOptions): GateOutcome {
  return pii({ ...ONLY_CREDENTIALS, ...options }).run({ agent_id: 'a', output }, signal) as GateOutcome;
}

/** The credential families the gate reports for `text` ([] when it passes). */
function familiesOf(text: string, options?: PiiOptions): CredentialFamily[] {
  const outcome = check(text, options);
  return outcome.passed ? [] : ((outcome.details as PiiDetails).credentials ?? []);
}

function assertNoCredential(texts: readonly string[]): void {
  for (const text of texts) assert.deepEqual(familiesOf(text), [], JSON.stringify(text));
}

/** Deterministic random-looking text over `alphabet` (a fixed LCG: the same string on every run). */
function randomFrom(alphabet: string, length: number, seed: number): string {
  let state = seed >>> 0;
  let out = '';
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out += alphabet[state % alphabet.length];
  }
  return out;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const HEX = '0123456789abcdef';
const B64 = `${ALNUM}+/`;
const alnum = (n: number, seed = n) => randomFrom(ALNUM, n, seed);
const hex = (n: number, seed = n) => randomFrom(HEX, n, seed);

function base64url(json: string): string {
  return Buffer.from(json).toString('base64url');
}

const PEM_BODY = Array.from({ length: 6 }, (_, i) => randomFrom(B64, 64, 100 + i)).join('\n');

/** Positive examples per family, each made of random bodies in the vendor's documented format. */
const POSITIVES: Readonly<Record<CredentialFamily, readonly string[]>> = {
  cloud: [
    `aws_access_key_id = ${randomFrom(UPPER_ALNUM, 16, 1).replace(/^/, 'AKIA')}`,
    `ASIA${randomFrom(UPPER_ALNUM, 16, 2)}`,
    `key: AIza${randomFrom(`${ALNUM}_-`, 35, 3)}`,
    `client_secret=${randomFrom(ALNUM, 3, 4)}8Q~${randomFrom(`${ALNUM}_.-`, 34, 5)}`,
    `dop_v1_${hex(64)}`,
    `oc login --token=sha256~${randomFrom(`${ALNUM}_-`, 43, 6)}`,
    `hvs.${alnum(90)}`,
  ],
  vcs: [
    `token ghp_${alnum(36)}`,
    `github_pat_${randomFrom(`${ALNUM}_`, 82, 7)}`,
    `glpat-${alnum(20, 8)}`,
    `//registry.npmjs.org/:_authToken=npm_${alnum(36, 9)}`,
    `sgp_${hex(40, 10)}`,
  ],
  chat: [
    `xoxb-${randomFrom('0123456789', 12, 11)}-${randomFrom('0123456789', 13, 12)}-${alnum(24, 13)}`,
    `https://hooks.slack.com/services/T${randomFrom(UPPER_ALNUM, 8, 14)}/B${randomFrom(UPPER_ALNUM, 8, 15)}/${alnum(24, 16)}`,
    `bot 8${randomFrom('0123456789', 8, 17)}:AA${randomFrom(`${ALNUM}_-`, 33, 18)} ready`,
  ],
  payment: [`sk_live_${alnum(24, 19)}`, `rk_test_${alnum(30, 20)}`, `sq0atp-${randomFrom(`${ALNUM}_-`, 22, 21)}`],
  ai: [
    `OPENAI_API_KEY="sk-proj-${alnum(48, 22)}"`,
    `sk-ant-api03-${randomFrom(`${ALNUM}_-`, 93, 23)}AA`,
    `hf_${randomFrom('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', 34, 24)}`,
  ],
  saas: [
    `SG.${randomFrom(`${ALNUM}_-`, 22, 25)}.${randomFrom(`${ALNUM}_-`, 43, 26)}`,
    `shpat_${hex(32, 27)}`,
    `NRAK-${randomFrom(UPPER_ALNUM, 27, 28)}`,
    `${hex(32, 29)}-us14`,
  ],
  privateKey: [
    `-----BEGIN RSA PRIVATE KEY-----\n${PEM_BODY}\n-----END RSA PRIVATE KEY-----`,
    `{"private_key": "-----BEGIN PRIVATE KEY-----\\n${PEM_BODY.replace(/\n/g, '\\n')}\\n-----END PRIVATE KEY-----\\n"}`,
    `-----BEGIN OPENSSH PRIVATE KEY-----\n${PEM_BODY}`,
  ],
  jwt: [
    `Authorization: Bearer ${base64url('{"alg":"HS256","typ":"JWT"}')}.${base64url('{"sub":"42","exp":1700000000}')}.${randomFrom(`${ALNUM}_-`, 43, 30)}`,
    `${base64url('{"alg":"none"}')}.${base64url('{"sub":"x"}')}.`,
  ],
  connectionString: [
    `DATABASE_URL=postgres://app:${alnum(16, 31)}@db.internal:5432/app`,
    'mongodb+srv://svc:Tr0ub4dor&3x@cluster0.example.net/db',
    'curl -u deploy:Vq7#mP2xL9wR https://api.example.com/v1/items',
  ],
  assignment: [
    `stripeToken = "${randomFrom(LOWER_ALNUM, 32, 32)}"`,
    `{ "client_secret": "${hex(64, 33)}" }`,
    `DB_PASSWORD='pR7v!kQ2mZ9w'`,
    `curl -H "X-Api-Key: ${alnum(32, 34)}" https://api.example.com`,
    `-H 'Authorization: Basic ${Buffer.from(`deploy:${alnum(14, 36)}`).toString('base64')}'`,
    `getenv("api_token", "${randomFrom(LOWER_ALNUM, 24, 35)}")`,
  ],
};

describe('pii gate: credentials by family', () => {
  for (const family of CREDENTIAL_FAMILIES) {
    it(`reports ${family}`, () => {
      for (const text of POSITIVES[family]) {
        assert.deepEqual(familiesOf(text), [family], JSON.stringify(text));
      }
    });
  }

  it('names the families in the reason and details, never the value', () => {
    const secret = POSITIVES.vcs[0]!;
    const outcome = check(`${secret}\n${POSITIVES.jwt[1]}`);
    assert.equal(outcome.reason, 'credential (code hosting or CI token, JWT) detected in output');
    assert.deepEqual(outcome.details, { types: ['credential'], count: 2, credentials: ['vcs', 'jwt'] });
    assert.ok(!JSON.stringify(outcome).includes(secret.slice(6)));
  });

  it('counts a credential once, whatever separators follow it in its token', () => {
    const key = `AKIA${randomFrom(UPPER_ALNUM, 16, 50)}`;
    assert.deepEqual(check(`${key}-backup_copy-of_the-key`).details, { types: ['credential'], count: 1, credentials: ['cloud'] });
  });
});

describe('pii gate: what is not a credential', () => {
  it('passes placeholders, documented sample keys, templates and dummy key blocks', () => {
    const texts = [
      'aws_access_key: AKIAIOSFODNN7EXAMPLE',
      'key = AKIAXXXXXXXXXXXXXXXX',
      `ghp_${'x'.repeat(36)}`,
      `github_pat_${'x'.repeat(22)}_${'x'.repeat(59)}`,
      'sk-your-api-key-goes-right-here',
      'OPENAI_API_KEY=sk-...',
      'PERPLEXITY_API_KEY=pplx-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
      '-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----',
      '-----BEGIN PRIVATE KEY-----\n<your private key here>\n-----END PRIVATE KEY-----',
      '-----BEGIN OPENSSH PRIVATE KEY-----',
      `-----BEGIN RSA PRIVATE KEY-----\n${'A'.repeat(64)}\n${'A'.repeat(64)}\n-----END RSA PRIVATE KEY-----`,
      'api_key = "${API_KEY}"',
      'token: <your token>',
      'password = "changeme"',
      'DB_PASSWORD=$DB_PASSWORD',
      'postgres://postgres:postgres@localhost:5432/dev',
      'https://user:password@example.com',
      'curl -u "$USER:$PASS" https://example.com',
      'SNYK_TOKEN = "12345678-ABCD-ABCD-ABCD-1234567890AB"',
      'export OP_SERVICE_ACCOUNT_TOKEN=ops_eyJzaWduSW5BZGRyZXNzIjoiaHR0cHM6...',
      '"token": "xoxp-572370529330-573807301142-572331691188-####################"',
      'client_secret=bP88Q~xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
    ];
    assertNoCredential(texts);
  });

  it('passes prose, code and public or bookkeeping values under secret-looking names', () => {
    const texts = [
      'task-management-system-overview-document',
      'use sk-learn for this',
      'pk_live_4eC39HqLyjWDarjtT1zdp7dc',
      '-----BEGIN PUBLIC KEY-----',
      '-----BEGIN CERTIFICATE-----',
      'eyJub3QganNvbiBhdCBhbGw.eyJhIjoxfQ.sig',
      'eyJ0eXAiOiJKV1QiLCJ4IjoxfQ.eyJhIjoxfQ.sig',
      'keyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxIn0.x',
      `publicKey: "${alnum(44, 40)}"`,
      `csrf_token=${alnum(40, 41)}`,
      `"nextPageToken": "${alnum(24, 42)}"`,
      `monkey = "${alnum(20, 43)}"`,
      'password: string;',
      'const token = getToken(request.headers);',
      'secret_length = X25519.secret_length',
      '<entry key="jetbrains.mps.v8_elimination" value="executed" />',
      'max_tokens: 4096, temperature: 0.2',
      'Order #A-77812 shipped on 2026-03-14; re-run the 90-day cohort at https://status.example.org/q1.',
      "git push -u origin main && sort -u names.txt",
      'target.username = target.password = target.search = "";',
      'const { contextToken: contextToken2, previousToken: previousToken2 } = tokens;',
      'exports.SOCKS5_NO_ACCEPTABLE_AUTH = SOCKS5_NO_ACCEPTABLE_AUTH;',
      "clientIPv4.write('Sec-WebSocket-Key: x3JJHMbDL1EzLkh9GBhXDw==')",
      'Authorization: Basic dXNlcm5hbWU6cGFzc3dvcmQ=',
      '  - Release GPG key: F3EF5F62A87FC27A22E643F714CE4FF5015AA242',
      "new Redis('redis://username:authpassword@127.0.0.1:6380/4')",
      "const obj = { username: 'john', password: 'secret123' }",
    ];
    assertNoCredential(texts);
  });
});

describe('pii gate: credential family switches', () => {
  const everything = CREDENTIAL_FAMILIES.map((family) => POSITIVES[family][0]).join('\n');

  it('drops exactly the switched-off family, and a vendor token is not reported under another one', () => {
    assert.deepEqual(familiesOf(everything), [...CREDENTIAL_FAMILIES]);
    for (const family of CREDENTIAL_FAMILIES) {
      const families = familiesOf(everything, { credentials: { [family]: false } });
      assert.deepEqual(families, CREDENTIAL_FAMILIES.filter((f) => f !== family), family);
    }
    // `aws_access_key_id = AKIA…` is a cloud key first: with cloud off it is not a secret-named value either.
    assert.deepEqual(familiesOf(POSITIVES.cloud[0]!, { credentials: { cloud: false } }), []);
  });

  it('switches every family with a boolean, and keeps the others on when an object names some', () => {
    assert.deepEqual(check(everything, { credentials: false }), { passed: true });
    assert.deepEqual(familiesOf(everything, { credentials: true }), [...CREDENTIAL_FAMILIES]);
    assert.deepEqual(familiesOf(everything, { credentials: {} }), [...CREDENTIAL_FAMILIES]);
  });

  it('rejects unknown families and non-boolean switches at construction', () => {
    assert.throws(() => pii({ credentials: { aws: false } } as never), /unknown credential family "aws"/);
    assert.throws(() => pii({ credentials: { jwt: 'no' } } as never), /credentials.jwt must be a boolean/);
    assert.throws(() => pii({ credentials: [] } as never), /credentials must be a boolean or an object/);
  });
});

describe('credential scan on adversarial input', () => {
  const shapes = [
    'token prefixes',
    'PEM headers',
    'repeated vendor prefixes',
    'AWS key prefixes',
    'JWT segment starts',
    'long base64 run',
    'PEM block without end',
    'PEM headers with header lines',
    'secret-named assignments',
    'URL credentials',
    'long quoted secret value',
  ];

  /** Work the scan accounts for `text` (anchors and the characters its readers read), read off a meter. */
  function workUnits(text: string): number {
    let units = 0;
    const meter = new Meter(Infinity);
    const spend = meter.spend.bind(meter);
    meter.spend = (u: number) => {
      units += u;
      spend(u);
    };
    scanCredentials(text, ALL_CREDENTIAL_FAMILIES, new Uint32Array(CREDENTIAL_FAMILIES.length), meter);
    return units;
  }

  for (const shape of shapes) {
    it(`reads ${shape} in work proportional to its length`, () => {
      const text = HOSTILE_SHAPES[shape]!() as string;
      const half = text.slice(0, text.length >> 1);
      const units = workUnits(text);
      // Linear: twice the text, about twice the work (not four times), and a bounded amount per character.
      assert.ok(units <= 2.2 * workUnits(half) + 64, `${shape}: ${units} units vs ${workUnits(half)} for half`);
      assert.ok(units <= text.length, `${shape}: ${units} units for ${text.length} characters`);
    });
  }

  it('counts secret-named values past the check limit instead of skipping them (fail closed)', () => {
    const placeholder = 'api_key = "xxxxxxxxxxxxxxxx"\n';
    assert.deepEqual(familiesOf(placeholder.repeat(MAX_ASSIGNMENT_CHECKS)), []);
    assert.deepEqual(familiesOf(placeholder.repeat(MAX_ASSIGNMENT_CHECKS + 1)), ['assignment']);
  });
});
