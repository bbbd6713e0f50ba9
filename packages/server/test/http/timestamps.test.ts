import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseIsoDateTime } from '../../src/schemas.js';

describe('timestamps the API accepts (zod 4 ISO date and date-time)', () => {
  it('reads dates and date-times with a zone to epoch milliseconds', () => {
    assert.equal(parseIsoDateTime('2026-05-07T14:22:44Z'), Date.UTC(2026, 4, 7, 14, 22, 44));
    assert.equal(parseIsoDateTime('2026-05-07T14:22:44.5+02:00'), Date.UTC(2026, 4, 7, 12, 22, 44, 500));
    assert.equal(parseIsoDateTime('2026-05-07T14:22:44.123456789-01:30'), Date.UTC(2026, 4, 7, 15, 52, 44, 123));
    assert.equal(parseIsoDateTime('2026-05-07'), Date.UTC(2026, 4, 7), 'a date is midnight UTC');
    assert.equal(parseIsoDateTime('2024-02-29T00:00:00Z'), Date.UTC(2024, 1, 29), 'a leap day');
  });
  it('refuses days that do not exist, times without a zone and other spellings', () => {
    for (const text of [
      '2026-02-30T00:00:00Z',
      '2025-02-29',
      '2026-04-31',
      '2026-13-01',
      '2026-05-07T24:00:00Z',
      '2026-05-07T14:60:00Z',
      '2026-05-07T14:22:44',
      '2026-05-07T14:22Z',
      '2026-05-07T14:22:44+0200',
      '2026-05-07t14:22:44z',
      '+012026-05-07T00:00:00Z',
      ' 2026-05-07',
      'yesterday',
      `2026-05-07T14:22:44.${'1'.repeat(40)}Z`,
    ]) {
      assert.equal(parseIsoDateTime(text), null, text);
    }
  });
});
