import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_PLACEHOLDER_DOMAINS, adomainVerify, classifyDomain } from '../../../src/gates/rtb/adomain-verify.js';
import { rtb } from '../../../src/gates/rtb/index.js';
import { assertFailed, assertPassed, assertReasonQuotesNoPayload, assertSkipped, runGate } from '../../fixtures/openrtb/context.js';
import { appVideoRequest26, siteBannerRequest25 } from '../../fixtures/openrtb/requests.js';
import {
  appVideoResponse26,
  kidsSafeResponse26,
  malformedResponses,
  noBidResponses,
  pmpDealResponse26,
  siteBannerResponse25,
  siteNativeResponse25,
} from '../../fixtures/openrtb/responses.js';

const gate = adomainVerify();
const withAdomain = (...adomains: unknown[]) => ({
  id: 'r',
  seatbid: [{ seat: 's', bid: adomains.map((adomain, i) => ({ id: `b${i}`, impid: '1', price: 1, adomain })) }],
});
const verdict = (domain: string) => classifyDomain(domain, new Set(DEFAULT_PLACEHOLDER_DOMAINS));

describe('rtb.adomainVerify', () => {
  it('is exposed as rtb.adomainVerify with the default name and accepts an override', () => {
    assert.equal(rtb.adomainVerify, adomainVerify);
    assert.equal(gate.name, 'rtb.adomain-verify');
    assert.equal(adomainVerify({ name: 'advertisers' }).name, 'advertisers');
  });

  it('passes realistic responses (punycode, upper case and a trailing root dot included)', () => {
    assertPassed(runGate(gate, siteBannerRequest25(), siteBannerResponse25()));
    assertPassed(runGate(gate, appVideoRequest26(), appVideoResponse26()));
    assertPassed(runGate(gate, undefined, siteNativeResponse25()));
    assertPassed(runGate(gate, undefined, pmpDealResponse26()));
    assertPassed(runGate(gate, undefined, kidsSafeResponse26()));
    assertPassed(runGate(gate, undefined, JSON.stringify(siteBannerResponse25())));
  });

  it('requires a non-empty adomain array by default', () => {
    for (const adomain of [undefined, null, []]) {
      const outcome = assertFailed(runGate(gate, undefined, withAdomain(adomain)));
      assert.equal(outcome.reason, 'bid adomain missing or empty (1 of 1 bid)');
    }
  });

  it('lets adomain be missing with requireAdomain: false, but still checks the domains that are there', () => {
    const lenient = adomainVerify({ requireAdomain: false });
    assertPassed(runGate(lenient, undefined, withAdomain(undefined, null, [], ['nike.com'])));
    const outcome = assertFailed(runGate(lenient, undefined, withAdomain(undefined, ['example.com'])));
    assert.equal(outcome.reason, 'placeholder advertiser domain in bid adomain (1 of 2 bids)');
    assert.equal(assertFailed(runGate(lenient, undefined, withAdomain('nike.com'))).details.problems['adomain-invalid'], 1);
  });

  it('fails every default placeholder, case-insensitively and trimmed, without quoting it', () => {
    for (const placeholder of DEFAULT_PLACEHOLDER_DOMAINS) {
      for (const spelling of [placeholder, placeholder.toUpperCase(), `  ${placeholder}\t`, `${placeholder}.`]) {
        const res = withAdomain(['nike.com', spelling]);
        const outcome = assertFailed(runGate(gate, undefined, res));
        assert.equal(outcome.reason, 'placeholder advertiser domain in bid adomain (1 of 1 bid)', spelling);
        assertReasonQuotesNoPayload(outcome, res);
      }
    }
  });

  it('treats subdomains of placeholders and reserved top-level names as placeholders', () => {
    for (const domain of ['www.example.com', 'cdn.ads.test.com', 'Shop.Example.Org', 'brand.test', 'shop.example', 'x.invalid', 'app.localhost']) {
      assert.equal(verdict(domain), 'placeholder', domain);
    }
    for (const domain of ['notexample.com', 'example.co.uk', 'myfoo.com', 'foo.com.au', 'testing.com', 'latest.com', 'bar.company']) {
      assert.equal(verdict(domain), 'ok', domain);
    }
  });

  it('adds extraPlaceholders (normalized, subdomains included) on top of the defaults', () => {
    const custom = adomainVerify({ extraPlaceholders: [' Acme-Test.com. ', 'brand-placeholder.io'] });
    for (const domain of ['acme-test.com', 'WWW.ACME-TEST.COM', 'brand-placeholder.io', 'example.com']) {
      assertFailed(runGate(custom, undefined, withAdomain([domain])));
    }
    assertPassed(runGate(custom, undefined, withAdomain(['acme.com'])));
    assertPassed(runGate(gate, undefined, withAdomain(['acme-test.com'])));
  });

  it('accepts well-formed domains', () => {
    const label63 = 'a'.repeat(63);
    const long253 = `${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.${'e'.repeat(57)}.com`;
    assert.equal(long253.length, 253);
    for (const domain of ['nike.com', 'www.nike.com', 'NIKE.COM', 'a.co', '3m.com', 'xn--bcher-kva.de', 'shop.xn--p1ai', 'my-brand.co.uk', `${label63}.com`, long253]) {
      assert.equal(verdict(domain), 'ok', domain);
    }
  });

  it('fails malformed domains', () => {
    const tooLong = `${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.${'e'.repeat(58)}.com`;
    const malformed = [
      '',
      '   ',
      'nike',
      'nike..com',
      '.nike.com',
      '-nike.com',
      'nike-.com',
      'nike.c',
      'nike.123',
      '1.2.3.4',
      'nike .com',
      'nike_shop.com',
      'user@nike.com',
      'nike.com:443',
      'nïke.com',
      'nike.com?x=1',
      'xn--.com',
      'nike.xn--',
      `${'a'.repeat(64)}.com`,
      tooLong,
    ];
    for (const domain of malformed) {
      assert.equal(verdict(domain), 'malformed', domain);
    }
    const outcome = assertFailed(runGate(gate, undefined, withAdomain(['nike.com'], ['nike'])));
    assert.equal(outcome.reason, 'malformed advertiser domain in bid adomain (1 of 2 bids)');
    assert.deepEqual(outcome.details.offenders, [{ seat: 0, bid: 1, problem: 'adomain-malformed' }]);
  });

  it('reports URLs given instead of bare domains', () => {
    for (const domain of ['https://nike.com', 'http://www.nike.com/', 'nike.com/shoes', '//nike.com']) {
      assert.equal(verdict(domain), 'url', domain);
    }
    const outcome = assertFailed(runGate(gate, undefined, withAdomain(['https://www.nike.com/running'])));
    assert.equal(outcome.reason, 'bid adomain holds a URL instead of a bare domain (1 of 1 bid)');
  });

  it('fails an adomain that is not an array of strings', () => {
    for (const adomain of ['nike.com', { 0: 'nike.com' }, 42, [42], ['nike.com', null]]) {
      const outcome = assertFailed(runGate(gate, undefined, withAdomain(adomain)));
      assert.equal(outcome.reason, 'bid adomain is not an array of strings (1 of 1 bid)', JSON.stringify(adomain));
    }
  });

  it('counts each problem kind once per bid and each failing bid once', () => {
    const res = withAdomain(['example.com', 'test.com', 'not a domain', 'https://x.com'], ['nike.com'], undefined);
    const outcome = assertFailed(runGate(gate, undefined, res));
    assert.equal(
      outcome.reason,
      'placeholder advertiser domain in bid adomain (1 of 3 bids); malformed advertiser domain in bid adomain (1 of 3 bids); ' +
        'bid adomain holds a URL instead of a bare domain (1 of 3 bids); bid adomain missing or empty (1 of 3 bids)',
    );
    assert.equal(outcome.details.failedBids, 2);
    assertReasonQuotesNoPayload(outcome, res);
  });

  it('is skipped when the response has no bids, and fails (never throws) on a malformed one', () => {
    for (const output of noBidResponses()) assertSkipped(runGate(gate, undefined, output), 'no bids in response');
    for (const output of malformedResponses()) assertFailed(runGate(gate, undefined, output));
  });

  it('does not need or read the request', () => {
    assertPassed(runGate(gate, 'not a request', siteBannerResponse25()));
  });

  it('stays linear on megabyte adversarial domains', () => {
    const MB = 1 << 20;
    const hostile = ['a.'.repeat(MB / 2), '-'.repeat(MB), 'a'.repeat(MB), ` ${'x.'.repeat(MB / 4)}com `, `https://${'a'.repeat(MB)}`];
    const outcome = assertFailed(runGate(gate, undefined, withAdomain(hostile)));
    assert.equal(outcome.details.failedBids, 1);
    const many = Array.from({ length: 100_000 }, (_, i) => `brand${i}.com`);
    assertPassed(runGate(gate, undefined, withAdomain(many)));
  });

  it('rejects bad options at construction', () => {
    for (const requireAdomain of ['yes', 1, null]) {
      assert.throws(() => adomainVerify({ requireAdomain } as never), /requireAdomain must be a boolean/);
    }
    for (const extraPlaceholders of ['x.com', { 0: 'x.com' }, null]) {
      assert.throws(() => adomainVerify({ extraPlaceholders } as never), /extraPlaceholders must be an array of strings/);
    }
    assert.throws(() => adomainVerify({ extraPlaceholders: [42] } as never), /extraPlaceholders must be an array of strings/);
    for (const bad of ['', '   ', '.', 'x'.repeat(254)]) {
      assert.throws(() => adomainVerify({ extraPlaceholders: [bad] }), /extraPlaceholders\[0\] is not a valid entry/);
    }
    assert.throws(() => adomainVerify(7 as never), /options must be an object/);
    assert.throws(() => adomainVerify({ name: '' }), /gate name/);
  });
});
