import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { foldText, PhraseSet } from '../../src/gates/content/phrases.js';

const folded = (text: string) => String.fromCharCode(...foldText(text));

describe('foldText', () => {
  it('lower-cases, unifies apostrophes and quotes, drops emphasis marks and collapses whitespace', () => {
    assert.equal(folded('  I’M *Not*  ALLOWED\n\tto `say` “THAT” \u00a0 '), 'i\'m not allowed to \'say\' "that"');
    assert.equal(folded('ÄRGER Über ÉTÉ'), 'ärger über été');
    assert.equal(folded(' \n '), '');
  });
});

describe('PhraseSet', () => {
  it('finds a phrase that starts inside a longer one that failed (Aho–Corasick failure links)', () => {
    assert.equal(new PhraseSet(['not able to help', 'to go']).matches('I am not able to go.'), true);
    assert.equal(new PhraseSet(['not able to help', 'able to']).matches('not able to go'), true);
    assert.equal(new PhraseSet(['i will not', 'will not say', 'not say it']).matches('I will NOT SAY IT'), true);
    assert.equal(new PhraseSet(['not able to help', 'to go']).matches('not able to helpdesk, to goal'), false);
  });

  it('matches whole words only, but lets punctuation-edged phrases attach', () => {
    const set = new PhraseSet(['no way', '¡no!']);
    assert.equal(set.matches('No way, José.'), true);
    assert.equal(set.matches('There is no wayfinding here; snow way'), false);
    assert.equal(set.matches('Dijo ¡no! y se fue'), true);
    assert.equal(set.matches('eso¡no!eso'), true);
  });

  it('ignores markdown emphasis, case and apostrophe style in the text', () => {
    const set = new PhraseSet(["I'm not permitted to"]);
    assert.equal(set.matches('**I’M NOT** permitted\nto discuss it'), true);
    assert.equal(set.matches('I am not permitted to'), false, 'no paraphrase matching');
  });

  it('stays linear with many phrases on 1 MB hostile texts', () => {
    const set = new PhraseSet(Array.from({ length: 100 }, (_, i) => `i am not permitted to discuss item ${i}`));
    for (const text of ['a'.repeat(1_000_000), 'I '.repeat(500_000), 'i am not permitted to discuss item '.repeat(30_000)]) {
      assert.equal(set.matches(text), false);
    }
    assert.equal(set.matches(`${'I '.repeat(500_000)}I am not permitted to discuss item 42.`), true);
  });
});
