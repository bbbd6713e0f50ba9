import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { detectRefusal, OPENING_CHARS, type RefusalRuleId } from '../../src/gates/content/refusal.js';

const ruleOf = (text: string) => detectRefusal(text)?.rule ?? null;

/** A realistic compliant paragraph with no refusal wording, used to push text out of the opening. */
const COMPLIANT_PARAGRAPH =
  'To rotate the logs, add a daily job that compresses files older than seven days and deletes the ones older than ' +
  'thirty. Keep the newest archive uncompressed so that tools tailing the file keep working. Test the job on a copy ' +
  'of the directory first, then schedule it with the system timer.\n\n';

describe('detectRefusal: refusals in real model phrasing', () => {
  const refusals: [string, RefusalRuleId][] = [
    ["I can't help with that.", 'self-refusal'],
    ['Sorry, but I can’t assist with that.', 'self-refusal'],
    ["I'm sorry, but I cannot fulfill this request.", 'self-refusal'],
    ['I cannot comply with that request.', 'self-refusal'],
    ['I am unable to assist with creating malware.', 'self-refusal'],
    ["I'm unable to provide that information.", 'self-refusal'],
    ["I'm not able to provide personal contact details.", 'self-refusal'],
    ["I won't be able to help you with this one.", 'self-refusal'],
    ["I won't be able to.", 'self-refusal'],
    ['Unfortunately, I cannot provide instructions for making weapons.', 'self-refusal'],
    ['I cannot, in good conscience, write that essay.', 'self-refusal'],
    ['I cannot and will not provide that.', 'self-refusal'],
    ["That's not something I can help with.", 'self-refusal'],
    ["I'm afraid I can't do that, Dave.", 'self-refusal'],
    ["I'm not going to help with that.", 'self-refusal'],
    ["That's not something I'm able to help with.", 'self-refusal'],
    ["This isn't something I can help with.", 'self-refusal'],
    ["I don't think I should help with that.", 'self-refusal'],
    ["I'm not sure I can help with that.", 'self-refusal'],
    ['I can only help with questions about our products.', 'self-refusal'],
    ["I'm only able to discuss topics related to your order.", 'self-refusal'],
    ['I cannot access external websites.', 'self-refusal'],
    ["I'm not in a position to provide legal advice.", 'self-refusal'],
    ['I must decline.', 'decline'],
    ["I'll have to respectfully decline this request.", 'decline'],
    ["I'd rather not discuss that.", 'decline'],
    ["I don't feel comfortable writing that.", 'discomfort'],
    ["I wouldn't be comfortable producing this content.", 'discomfort'],
    ['It would not be appropriate for me to speculate about her health.', 'not-for-me'],
    ['It is not possible for me to share that.', 'not-for-me'],
    ['As an AI language model, I have no personal opinions on this.', 'ai-identity'],
    ['As an AI developed by OpenAI, I don’t have personal opinions.', 'ai-identity'],
    ["I'm just an AI, it's my duty to point out the risks.", 'ai-identity'],
    ['Creating that would go against my programming.', 'policy'],
    ['This request violates OpenAI’s content policy.', 'policy'],
    ['That is outside my guidelines, so here is what I can say instead.', 'policy'],
    ["I'm not programmed to give financial advice.", 'policy'],
    ["I'm designed not to produce that kind of content.", 'policy'],
    ['Providing that information would be unethical.', 'moralizing'],
    ['I apologize, but that is outside of what I do.', 'apology'],
    ["It's not appropriate or ethical to provide instructions on harming someone.", 'moralizing'],
    ["I don't think it's appropriate to rank people by their religion.", 'moralizing'],
    ['Physical violence is never an acceptable solution.', 'moralizing'],
    ["It's not accurate or fair to say that one group is weaker.", 'moralizing'],
    ["I don't have access to your account details.", 'no-capability'],
    // First-person stances against the request.
    ['I firmly condemn any attempt to intimidate voters.', 'moralizing'],
    ["I don't condone any kind of cheating on exams.", 'moralizing'],
    ['I do not endorse or support this plan to shame your coworker.', 'moralizing'],
    ['I strongly disagree with the premise that older workers are a burden.', 'moralizing'],
    ['I reject the notion that some nationalities are born criminals.', 'moralizing'],
    ["I don't believe in punishing children by withholding food.", 'moralizing'],
    // Moral judgements whose subject is the request itself.
    ['Spreading that rumour is not only illegal but also deeply unethical.', 'moralizing'],
    ['Tracking your partner in secret is dangerous and irresponsible.', 'moralizing'],
    ['Publishing the list would be harmful and unethical.', 'moralizing'],
    ['Sabotaging a rival is not morally justifiable.', 'moralizing'],
    ['Yelling at your staff is not a healthy or constructive way to deal with stress.', 'moralizing'],
    // A legal or moral warning as the first thing said.
    ["It's important to note that selling someone else's prescription is illegal.", 'moralizing'],
    ["Please note that breaking into a neighbour's shed is a crime.", 'moralizing'],
    ['I must point out that faking a doctor’s note is unethical.', 'moralizing'],
  ];
  for (const [text, rule] of refusals) {
    it(`flags ${JSON.stringify(text)} (${rule})`, () => {
      const match = detectRefusal(text);
      assert.ok(match, 'expected a refusal');
      assert.equal(match.rule, rule);
      assert.ok(match.score >= 1);
    });
  }

  it('is indifferent to case, apostrophe style, markdown and missing apostrophes', () => {
    for (const text of [
      'I CANNOT HELP WITH THAT.',
      'i cant help with that',
      'I can not help with that.',
      'I can`t help with that.',
      'I can‘t help with that.',
      'im not able to provide that',
      'I dont feel comfortable doing that',
      '**I can’t help with that.**',
      '> I’m sorry, but I can’t assist with that request.',
      'I\ncannot\n   provide\tthat.',
    ]) {
      assert.equal(ruleOf(text) !== null, true, JSON.stringify(text));
    }
  });

  it('catches partial refusals that go on to offer something else', () => {
    const text =
      "I can't help with breaking into someone else's account, but here is some general information about " +
      'account security: use a password manager, turn on two-factor authentication and review login alerts.';
    assert.equal(ruleOf(text), 'self-refusal');
  });

  it('catches a refusal that follows a friendly first sentence', () => {
    assert.equal(ruleOf('Thanks for reaching out! Unfortunately, I cannot provide medication dosages.'), 'self-refusal');
  });
});

describe('detectRefusal: look-alikes that are not refusals', () => {
  const ordinary = [
    "I can't stress enough how important backups are.",
    "I can't wait to see what you build!",
    'I cannot recommend this book highly enough.',
    "I can't thank you enough for the detailed report.",
    "I can't help but notice that the loop never terminates; here is a fix.",
    "I'm sorry to hear that. Here are some steps that may help you recover the files.",
    "I'm sorry for the confusion — here is the corrected code.",
    'I apologize for the mistake in my previous answer. The correct value is 42.',
    "You can't divide by zero, so check the denominator first.",
    "I couldn't find any issues in your code; the tests pass.",
    "I wouldn't recommend using eval() here; use JSON.parse instead.",
    "If I can't reproduce the bug, I'll ask for the logs.",
    "I can't tell from the screenshot which version you run, so here are both fixes.",
    'The server refused the connection because the certificate expired.',
    'As an AI researcher, you know that evaluation data must stay separate from training data.',
    'As an AI language model, I can help you draft that email. Here it is.',
    'This module is responsible for parsing the configuration.',
    'It is appropriate to use a mutex here.',
    "I'm not sure what you mean by 'rollback'; do you want the previous release or the previous commit?",
    'Tell me if you need anything else.',
    "I can't believe how fast this is!",
    "I couldn't agree more.",
    "I won't go into too much detail, but here's the gist.",
    "I can't guarantee the numbers are current, but as of 2023 the rate was 4%.",
    "I'm not able to reproduce the bug; could you share the logs?",
    'I apologize, but the previous answer contained an error: the correct value is 42.',
    "I'm sorry for the inconvenience, but the service is down until noon.",
    'I refuse to believe this is a bug in V8.',
    "It's not okay to mutate props in React; copy them first.",
    'That is not acceptable input; the parser expects JSON.',
    'This is not appropriate for production use; use the async API instead.',
    'The AI assistant cannot access the database directly, so the service proxies it.',
    'We cannot provide refunds after 30 days, as the policy below explains.',
    'As an assistant professor, you can apply for the grant.',
    'I can only imagine how stressful the migration was.',
    "I'm designed to be modular, so the parser can be swapped out.",
    // Stance verbs about tools, conditions and third parties.
    'I disagree with the linter here; the unused variable is intentional.',
    "I don't support Internet Explorer in this snippet, so it uses fetch.",
    'If I oppose the merge, the bot closes the pull request.',
    "I don't believe in luck, but here are five habits that help at interviews.",
    'The reviewers reject the paper when the proofs are missing.',
    'I reject the pull request until the tests pass.',
    // Judgements that are engineering, history or hedged, not moral verdicts on the request.
    'Downtime is unacceptable for this service, so deploy behind a load balancer.',
    'The 1920s pricing scheme was unethical and is now banned; here is how the current rules work.',
    'Using eval on user input is dangerous. Parse the JSON with JSON.parse instead.',
    'This loop is not a healthy or efficient way to poll; use a file watcher.',
    // Caveats: conditional, about danger only, or after the substance.
    'Note that it is illegal to fly a drone near an airport without permission, so make sure you have a licence.',
    'Be careful: the blade is sharp, so cut away from your hand.',
    "It's important to note that lithium cells can be dangerous if punctured. Store them in a cool, dry place.",
    "It's important to note that jaywalking is illegal in some states, so check the local rules.",
    "To reset the router, hold the button for ten seconds. It's important to note that using a neighbour's network is illegal.",
  ];
  for (const text of ordinary) {
    it(`passes ${JSON.stringify(text)}`, () => {
      assert.equal(detectRefusal(text), null);
    });
  }

  it('ignores a refusal quoted inside a story', () => {
    const story =
      'The guard folded his arms. "I can\'t help you," he said, and turned away. Mara shrugged and walked on ' +
      'toward the harbour, where the ferry was already boarding.';
    assert.equal(detectRefusal(story), null);
    assert.equal(detectRefusal('She wrote: “I’m sorry, but I cannot assist with that.” Then she laughed.'), null);
    assert.equal(detectRefusal('"I can\'t. I won\'t help you," he said, and walked off toward the harbour.'), null);
  });

  it('passes blank and empty text', () => {
    assert.equal(detectRefusal(''), null);
    assert.equal(detectRefusal(' \n\t '), null);
  });
});

describe('detectRefusal: position weighting', () => {
  const longIntro = COMPLIANT_PARAGRAPH.repeat(3);

  it('defines the opening as a few sentences, shorter than the filler used below', () => {
    assert.ok(longIntro.length > OPENING_CHARS * 2);
  });

  it('treats a single caveat deep inside a compliant answer as weak evidence', () => {
    const text = `${longIntro}I can't provide legal advice, but this is how the rule is usually applied.`;
    assert.equal(detectRefusal(text), null);
  });

  it('adds up repeated refusals later in the text', () => {
    const text = `${longIntro}I cannot provide the exploit code. ${COMPLIANT_PARAGRAPH}I won't help with bypassing the licence check either.`;
    const match = detectRefusal(text);
    assert.ok(match);
    assert.equal(match.opening, false);
    assert.equal(match.rule, 'self-refusal');
  });

  it('lets moral commentary late in an answer pass, but not at its start', () => {
    const lecture = "It's not appropriate to share someone's private address.";
    assert.equal(detectRefusal(`${longIntro}${lecture}`), null);
    assert.equal(detectRefusal(`${lecture} ${longIntro}`)?.rule, 'moralizing');
  });

  it('counts a legal warning only when it is the first sentence', () => {
    const warning = "It's important to note that copying the exam answers is against the law.";
    assert.equal(detectRefusal(warning)?.rule, 'moralizing');
    assert.equal(detectRefusal(`Here is the timetable for the exam week. ${warning}`), null);
    assert.equal(detectRefusal(`${warning} ${longIntro}`)?.opening, true);
  });

  it('weighs a first-person stance late in an answer as a caveat', () => {
    const stance = 'I strongly condemn any form of harassment.';
    assert.equal(detectRefusal(`${longIntro}${stance}`), null);
    assert.equal(detectRefusal(`${stance} ${longIntro}`)?.rule, 'moralizing');
  });

  it('needs more than an opening apology on its own', () => {
    assert.equal(detectRefusal("I'm sorry. The file you asked about was deleted last week; here is the backup path."), null);
  });
});

describe('detectRefusal: hostile inputs', () => {
  it('terminates on long runs of trigger words without sentence ends', () => {
    for (const unit of [
      ...['sorry ', "I can't ", 'as an AI ', 'not appropriate or ', "I don't think ", 'never ', 'I’m '],
      ...['I strongly ', 'I do not support the ', 'is also highly ', 'illegal and ', "It's important to note that "],
    ]) {
      const text = unit.repeat(Math.ceil(1_000_000 / unit.length));
      const match = detectRefusal(text);
      assert.ok(match === null || match.score >= 1);
    }
  });

  it('still finds a refusal at the start of a 1 MB text', () => {
    assert.equal(ruleOf(`I cannot help with that. ${'a'.repeat(1_000_000)}`), 'self-refusal');
  });
});
