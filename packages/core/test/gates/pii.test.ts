import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pii, type PiiDetails, type PiiOptions } from '../../src/gates/pii.js';
import { PHONE_VALIDATION_BUDGET } from '../../src/gates/pii/phone.js';
import type { GateOutcome } from '../../src/types.js';

const signal = new AbortController().signal;

function check(output: unknown, options?: PiiOptions): GateOutcome {
  return pii(options).run({ agent_id: 'a', output }, signal) as GateOutcome;
}

function typesOf(output: unknown, options?: PiiOptions): string[] {
  const outcome = check(output, options);
  return outcome.passed ? [] : (outcome.details as PiiDetails).types;
}

/** One sample of every type, as [type, text]. */
const SAMPLES = [
  ['email', 'jane.doe@example.com'],
  ['phone', '(415) 555-2671'],
  ['ssn', '234-56-7890'],
  ['card', '4111 1111 1111 1111'],
  ['iban', 'GB82 WEST 1234 5698 7654 32'],
  ['ip', '192.168.1.20'],
  ['credential', 'AKIAZ4QX7R2NB5WJ3KDP'],
] as const;

const OPTION_OF = {
  email: 'email',
  phone: 'phone',
  ssn: 'ssn',
  card: 'card',
  iban: 'iban',
  ip: 'ip',
  credential: 'credentials',
} as const;

describe('pii gate', () => {
  it('has the default name and accepts an override', () => {
    assert.equal(pii().name, 'pii');
    assert.equal(pii({ name: 'no-personal-data' }).name, 'no-personal-data');
  });

  it('passes outputs without personal data and reports nothing else', () => {
    const prose =
      'Your order #48213 shipped on 2024-05-03 (3-5 business days). Total $1,299.99 incl. 8.25% tax. ' +
      'Track it at https://shop.example.com/track?id=AB12345. App v2.14.3 fixes ticket 5512; office hours 9:00-17:30.';
    assert.deepEqual(check(prose), { passed: true });
  });

  it('names the type found in the reason and details, never the value', () => {
    for (const [type, text] of SAMPLES) {
      const outcome = check(`note: ${text} (end)`);
      assert.equal(outcome.passed, false, type);
      const credentials = type === 'credential' ? { credentials: ['cloud'] } : {};
      assert.deepEqual(outcome.details, { types: [type], count: 1, ...credentials }, type);
      assert.match(outcome.reason!, / detected in output$/);
      assert.ok(!outcome.reason!.includes(text), `reason leaks ${type}`);
      assert.ok(!JSON.stringify(outcome.details).includes(text), `details leak ${type}`);
    }
  });

  it('uses readable labels and lists every type found, in a fixed order', () => {
    assert.equal(check('a@b.co').reason, 'email address detected in output');
    assert.equal(check('call (415) 555-2671 or mail a@b.co').reason, 'email address and phone number detected in output');
    const all = SAMPLES.map(([, text]) => text).reverse().join(' | ');
    const outcome = check(all);
    assert.equal(
      outcome.reason,
      'email address, phone number, US social security number, payment card number, IBAN, IP address and credential (cloud provider key) detected in output',
    );
    assert.deepEqual((outcome.details as PiiDetails).types, ['email', 'phone', 'ssn', 'card', 'iban', 'ip', 'credential']);
    assert.equal((outcome.details as PiiDetails).count, SAMPLES.length);
  });

  it('counts every match across all strings', () => {
    const outcome = check({ to: ['a@example.com', 'b@example.com'], cc: 'c@example.com and d@example.org', tel: '+44 20 7946 0958' });
    assert.deepEqual(outcome.details, { types: ['email', 'phone'], count: 5 });
  });

  it('walks nested objects, arrays, maps and sets, object keys included', () => {
    assert.deepEqual(typesOf({ a: [{ b: { c: ['x', 'mail me: x@y.com'] } }] }), ['email']);
    assert.deepEqual(typesOf({ 'jane@example.com': true }), ['email']);
    assert.deepEqual(typesOf(new Map([['k', new Set(['234-56-7890'])]])), ['ssn']);
    assert.deepEqual(typesOf(new Map([['192.168.1.20', 1]])), ['ip']);
    const cyclic: Record<string, unknown> = { note: 'ok' };
    cyclic.self = cyclic;
    cyclic.card = '4111-1111-1111-1111';
    assert.deepEqual(typesOf(cyclic), ['card']);
  });

  it('checks numeric leaves as their decimal text', () => {
    assert.deepEqual(typesOf({ pan: 4111111111111111 }), ['card']);
    assert.deepEqual(typesOf([4111111111111111n]), ['card']);
    assert.deepEqual(typesOf({ total: 1299.99, id: 5403926876, n: 4111111111111112 }), []);
  });

  it('reads the previous string (an object key) as the label of the next one', () => {
    assert.deepEqual(typesOf({ phone: '4155552671' }), ['phone']);
    assert.deepEqual(typesOf({ mobile: 4155552671 }), ['phone']);
    assert.deepEqual(typesOf({ ssn: '234567890' }), ['ssn']);
    assert.deepEqual(typesOf({ id: '4155552671', ref: '234567890' }), []);
    assert.deepEqual(typesOf(['phone', 'x'.repeat(40), '4155552671']), []);
  });

  it('ignores leaves that hold no text', () => {
    for (const output of [undefined, null, true, false, 0, 3.14, Number.NaN, new Date(0), /a@b\.co/, Symbol('x'), () => 'a@b.co']) {
      assert.deepEqual(check(output), { passed: true }, String(output));
    }
  });

  it('passes empty values', () => {
    for (const output of ['', ' ', [], {}, new Map(), new Set(), [[], {}]]) assert.deepEqual(check(output), { passed: true });
  });

  it('finds a value at the end of a megabyte of text', () => {
    const filler = 'The quick brown fox jumps over the lazy dog 42 times on 2024-05-03. '.repeat(16_000);
    assert.deepEqual(typesOf(filler), []);
    assert.deepEqual(typesOf(`${filler}Reach me at jane@example.com`), ['email']);
    assert.deepEqual(typesOf([filler, { key: `${filler}4111 1111 1111 1111` }]), ['card']);
  });

  it('keeps one evaluation from affecting the next', () => {
    const gate = pii();
    assert.equal((gate.run({ agent_id: 'a', output: 'a@b.co' }, signal) as GateOutcome).passed, false);
    assert.deepEqual(gate.run({ agent_id: 'a', output: 'nothing here' }, signal), { passed: true });
    assert.deepEqual(gate.run({ agent_id: 'a', output: ['phone', ''] }, signal), { passed: true });
    assert.deepEqual(gate.run({ agent_id: 'a', output: '4155552671' }, signal), { passed: true });
  });
});

describe('pii gate: family switches', () => {
  const everything = SAMPLES.map(([, text]) => text).join('\n');

  it('drops exactly the switched-off family', () => {
    for (const [type] of SAMPLES) {
      const option = OPTION_OF[type];
      const types = typesOf(everything, { [option]: false });
      assert.ok(!types.includes(type), `${option}: false still reports ${type}`);
      assert.equal(types.length, SAMPLES.length - 1, option);
    }
  });

  it('passes everything when every family is off, and keeps the defaults when switches are true', () => {
    const off: PiiOptions = { email: false, phone: false, ssn: false, card: false, iban: false, ip: false, credentials: false };
    assert.deepEqual(check(everything, off), { passed: true });
    const on: PiiOptions = { email: true, phone: true, ssn: true, card: true, iban: true, ip: true, credentials: true };
    assert.equal(typesOf(everything, on).length, SAMPLES.length);
  });

  it('validates national numbers for phoneCountry', () => {
    assert.deepEqual(check('020 7946 0958 or 0161 496 0000', { phoneCountry: 'GB' }).details, { types: ['phone'], count: 2 });
    assert.deepEqual(typesOf('020 7946 0958'), []);
    assert.deepEqual(typesOf('(415) 555-2671', { phoneCountry: 'CA' }), ['phone']);
  });
});

describe('pii gate: options', () => {
  it('rejects bad options at construction', () => {
    assert.throws(() => pii('strict' as never), TypeError);
    assert.throws(() => pii(null as never), TypeError);
    assert.throws(() => pii([] as never), TypeError);
    assert.throws(() => pii({ name: '' }), /gate name/);
    assert.throws(() => pii({ name: 42 } as never), /gate name/);
    for (const key of ['email', 'phone', 'ssn', 'card', 'iban', 'ip', 'credentials']) {
      assert.throws(() => pii({ [key]: 'no' } as never), new RegExp(`pii: ${key} must be a boolean`), key);
      assert.throws(() => pii({ [key]: 0 } as never), TypeError, key);
    }
    for (const phoneCountry of ['XX', 'us', 'USA', '', 1, null]) {
      assert.throws(() => pii({ phoneCountry } as never), /phoneCountry/, String(phoneCountry));
    }
    assert.throws(() => pii({ emails: false } as never), /unknown option "emails"/);
  });

  it('accepts undefined options and undefined members', () => {
    assert.equal(pii(undefined).name, 'pii');
    assert.equal(pii({ email: undefined, phoneCountry: undefined }).name, 'pii');
  });
});

describe('pii gate: adversarial input', () => {
  const MB = 1_000_000;
  const inputs: Record<string, string> = {
    digits: '1'.repeat(MB),
    ats: '@'.repeat(MB),
    dots: '.'.repeat(MB),
    dashes: '-'.repeat(MB),
    spaces: ' '.repeat(MB),
    letters: 'a'.repeat(MB),
    colons: ':'.repeat(MB),
    'digit dots': '1.'.repeat(MB / 2),
    'digit dashes': '1-'.repeat(MB / 2),
    'digit spaces': '1 '.repeat(MB / 2),
    'letter ats': 'a@'.repeat(MB / 2),
    'hex colons': 'a:'.repeat(MB / 2),
    'digit pairs': '12 '.repeat(MB / 3),
    'bracketed digits': '(1) '.repeat(MB / 4),
    quads: '1234 '.repeat(MB / 5),
    'iban starts': 'GB82 '.repeat(MB / 5),
    'jwt starts': 'eyJ.'.repeat(MB / 4),
    'key starts': 'sk-'.repeat(MB / 3),
    'pem starts': '-----BEGIN '.repeat(MB / 11),
    mixed: Array.from({ length: MB }, (_, i) => '1@.- a:(+)x'[(i * 7919) % 11]).join(''),
  };

  for (const [label, text] of Object.entries(inputs)) {
    it(`terminates on 1 MB of ${label} without a finding`, () => {
      assert.deepEqual(check(text), { passed: true });
    });
  }

  it('terminates on 1 MB of valid-looking values and counts them all', () => {
    assert.deepEqual(check('a@b.co '.repeat(MB / 7)).details, { types: ['email'], count: Math.floor(MB / 7) });
    assert.deepEqual(check('4111 1111 1111 1111 '.repeat(MB / 20)).details, { types: ['card'], count: MB / 20 });
    assert.deepEqual(check('phone 12 34 56 78 '.repeat(MB / 18)).details, { types: ['phone'], count: Math.floor(MB / 18) });
  });

  it('caps libphonenumber work per evaluation and then fails closed on well-shaped candidates', () => {
    // 898 is not an assigned area code: libphonenumber rejects each of these, until the budget runs out.
    const unassigned = (n: number) => Array.from({ length: n }, () => '(898) 666-3621').join('; ');
    assert.deepEqual(check(unassigned(PHONE_VALIDATION_BUDGET)), { passed: true });
    assert.deepEqual(typesOf(unassigned(PHONE_VALIDATION_BUDGET + 1)), ['phone']);
  });
});
