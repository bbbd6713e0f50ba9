import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pii, type PiiDetails, type PiiOptions } from '../../src/gates/pii.js';
import type { GateOutcome } from '../../src/types.js';

const signal = new AbortController().signal;

function check(output: unknown, options?: PiiOptions): GateOutcome {
  return pii(options).run({ agent_id: 'a', output }, signal) as GateOutcome;
}

/** The types the gate reports for `output` ([] when it passes). */
function typesOf(output: unknown, options?: PiiOptions): string[] {
  const outcome = check(output, options);
  return outcome.passed ? [] : (outcome.details as PiiDetails).types;
}

function assertFlags(type: string, texts: readonly string[], options?: PiiOptions): void {
  for (const text of texts) {
    const outcome = check(text, options);
    assert.equal(outcome.passed, false, `expected ${type} in ${JSON.stringify(text)}`);
    assert.deepEqual((outcome.details as PiiDetails).types, [type], JSON.stringify(text));
  }
}

function assertPasses(texts: readonly string[], options?: PiiOptions): void {
  for (const text of texts) {
    assert.deepEqual(typesOf(text, options), [], `expected no finding in ${JSON.stringify(text)}`);
  }
}

describe('pii gate: e-mail addresses', () => {
  it('flags addresses in prose, brackets, links and with plus tags, subdomains and non-ASCII letters', () => {
    assertFlags('email', [
      'write to jane.doe@example.com today',
      'A+B_c%d-e@mail.sub.example.co.uk',
      '<OrvaBizier@teleworm.us>',
      '[support@samsung.ca](mailto:support@samsung.ca)',
      'josé.müller@exemplo.com.br',
      'x@y.io.',
    ]);
  });
  it('ignores handles, package specs, asset names, git remotes and malformed domains', () => {
    assertPasses([
      '@handle said hi',
      'user@localhost',
      'logo@2x.png and icon@3x.webp',
      'git@github.com:pecta/core.git',
      'npm i react@18.2.0 @pecta/core',
      'a@b.c',
      'name@.com',
      'name@example..com',
      '.@example.com',
      '@@@@',
    ]);
  });
});

describe('pii gate: US social security numbers', () => {
  it('flags issuable NNN-NN-NNNN numbers, including areas issued since 2011 randomisation', () => {
    assertFlags('ssn', ['SSN 234-56-7890', '853-37-1694', 'id: 078-05-1121.', '(001-01-0001)']);
  });
  it('flags spaced, dotted or bare numbers only next to an SSN keyword', () => {
    assertFlags('ssn', ['SSN: 234 56 7890', 'ssn 234567890', 'Social Security number: 234.56.7890']);
    assertPasses(['ref 234 56 7890', 'id 234567890', 'v 234.56.7890']);
  });
  it('rejects invalid ranges and famous example numbers', () => {
    assertPasses([
      '000-12-3456',
      '666-12-3456',
      '900-12-3456',
      '999-12-3456',
      '234-00-5678',
      '234-56-0000',
      '078-05-1120',
      '219-09-9999',
      '123-45-6789',
      'SSN 000123456',
    ]);
  });
  it('rejects numbers inside longer dash chains or glued to words', () => {
    assertPasses(['1-234-56-7890', '234-56-7890-1', 'ABC-234-56-7890', '234-56-78901', 'x234-56-7890']);
  });
});

describe('pii gate: phone numbers', () => {
  it('flags US numbers in the usual national formats, with trunk 1 and extensions', () => {
    assertFlags('phone', [
      'call (415) 555-2671 now',
      '415-555-2671',
      '415.555.2671',
      '415 555 2671',
      '1-415-555-2671',
      '1 (415) 555-2671',
      '(602)272-9781',
      '463-612-6138x036',
      '415-555-2671 ext. 12',
      'on 12/03 415-555-2671',
    ]);
  });
  it('flags international numbers with + or an exit code, with a bracketed trunk (0)', () => {
    assertFlags('phone', [
      '+1 415 555 2671',
      '+14155552671',
      '+44 20 7946 0958',
      '+447700 921 916',
      '+33 1 42 68 53 00',
      '+49 30 901820',
      '+41 (0)44 668 18 00',
      '+46 (0)8 928 571 38',
      '0044 20 7946 0958',
      '011 44 20 7946 0958',
      '001-518-640-0854',
    ]);
  });
  it('flags numbers in other national formats when a phone keyword labels them', () => {
    assertFlags('phone', [
      'Phone: 0490 75 40 81',
      'Tel. 020 7946 0958',
      'Mobile: 03.93.92.16.85',
      'Please call me at (08) 8747 6301',
      'Fax: 9498777106',
      '781 1704 mobile',
      '0961-7596216 (cell)',
      'Téléphone : 01 42 68 53 00',
    ]);
  });
  it('uses phoneCountry for national numbers written without a keyword', () => {
    assertPasses(['020 7946 0958']);
    assertFlags('phone', ['020 7946 0958', '07911 123456'], { phoneCountry: 'GB' });
    assertPasses(['415-555-2671 is not British'], { phoneCountry: 'GB', ip: false });
  });
  it('does not flag dates, times, prices, versions, ids, ZIP codes, ISBNs or coordinates', () => {
    assertPasses([
      'shipped 2024-05-03 12:20:39',
      'on 03.05.2024 and 5/3/2024',
      'total $1,299.99 or 1 299 000 EUR',
      'release v2.14.3, desktop 4.1.0',
      'order 48213, Order #5403926876',
      'ticket 123-456-7890',
      'ref 555-0123',
      'ISBN 978-3-16-148410-0',
      'ZIP 94105-1234',
      'licence 2270-66-1551',
      'epoch 1714761234',
      'pi is 3.14159265358979',
      'at 37.7749, -122.4194',
      '+1',
      'call me in 2 days',
      'phone 2024-05-03',
      'Ranked 12 34 56 in the last three rounds',
      'Population 8 336 817 (2022)',
      'uuid 123e4567-e89b-12d3-a456-426614174000',
      '2024-05-03T12:20:39.123Z',
      'IMEI 490154203237518',
    ]);
  });
  it('does not flag numbers glued to words or paths', () => {
    assertPasses(['ID4155552671', '/users/4155552671/profile', 'build-415-555-2671', 'a.415.555.2671']);
  });
});

describe('pii gate: payment cards', () => {
  it('flags Luhn-valid numbers of the major networks, compact or grouped by spaces or dashes', () => {
    assertFlags('card', [
      '4111 1111 1111 1111',
      '4111-1111-1111-1111',
      'card 4111111111111111 declined',
      '4222222222222',
      '4000000000000000006',
      '5555 5555 5555 4444',
      '2223003122003222',
      '378282246310005',
      '3782 822463 10005',
      '6011 1111 1111 1117',
      '3530111333300000',
      '30569309025904',
      '2200000000000004',
    ]);
  });
  it('flags 12-digit Maestro numbers only where the text speaks of a card', () => {
    assertFlags('card', ['card number 501800000009', 'Maestro: 6304 0000 0000', 'cc 630400000000 declined']);
    assertPasses(['UPC 501800000009', '630400000000', 'item 6304 0000 0000']);
  });
  it('rejects Luhn failures, unknown issuer prefixes, wrong lengths, mixed separators and glued numbers', () => {
    assertPasses([
      '4111 1111 1111 1112',
      '4111111111111112',
      '1234 5678 9012 3456',
      '0000 0000 0000 0000',
      '9111111111111111',
      '411111111111111118',
      '37828224631000',
      '5555555555554444555',
      '4111 1111-1111 1111',
      'ID4111111111111111',
      '4111111111111111abc',
      '41111111111111111111',
      '1111 1111 1111 1117',
    ]);
  });
});

describe('pii gate: IBANs', () => {
  it('flags mod-97-valid IBANs, compact or in blocks of four, upper or lower case', () => {
    assertFlags('iban', [
      'IBAN GB82 WEST 1234 5698 7654 32.',
      'GB82WEST12345698765432',
      'DE89 3704 0044 0532 0130 00',
      'FR14 2004 1010 0505 0001 3M02 606',
      'NL91ABNA0417164300',
      'CH93 0076 2011 6238 5295 7',
      'NO9386011117947',
      'gb82west12345698765432',
    ]);
  });
  it('rejects checksum failures, unknown countries, wrong lengths, mixed case and glued tokens', () => {
    assertPasses([
      'GB82 WEST 1234 5698 7654 33',
      'XX82WEST12345698765432',
      'GB82WEST1234569876543',
      'GB82WEST123456987654321',
      'Gb82WEST12345698765432',
      'GB82west12345698765432',
      'xGB82WEST12345698765432',
      'GB82 WEST 1234 5698 7654 3 2',
    ]);
  });
});

describe('pii gate: IP addresses', () => {
  it('flags IPv4 addresses, with ports and prefixes, private ranges included', () => {
    assertFlags('ip', ['from 192.168.1.20', '8.8.8.8', 'host 10.0.0.1:8080', 'route 10.0.0.0/8', '106.31.73.20.']);
  });
  it('flags IPv6 addresses, full, compressed and IPv4-mapped', () => {
    assertFlags('ip', [
      '2001:0db8:85a3:0000:0000:8a2e:0370:7334',
      'server 2001:db8::1 is up',
      'fe80::1ff:fe23:4567:890a',
      '::ffff:192.0.2.128',
      '6e40:4041:c617:e898:c11:40d2:c669:2eb4.',
    ]);
  });
  it('rejects impossible octets, wrong group counts, versions and addresses that identify nobody', () => {
    assertPasses([
      '999.1.1.1',
      '256.1.1.1',
      '1.2.3',
      '1.2.3.4.5',
      'v1.2.3.4',
      'version 1.2.0.0',
      'see section 3.2.1.4',
      '0.0.0.0',
      '127.0.0.1',
      '255.255.255.255',
      '01.02.03.04',
      '::',
      '::1',
      'at 12:30:45',
      'std::vector<int>',
      'dead::beef',
      'MAC 00:1A:2B:3C:4D:5E',
      '1:2:3:4:5:6:7:8:9',
      '2001:db8::1::2',
    ]);
  });
});

