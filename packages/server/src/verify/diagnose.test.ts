import { describe, expect, it } from 'vitest';
import { emptyFacts, explainDrop, explainEmptyRun, type VisitFacts } from './diagnose.js';

const facts = (over: (f: VisitFacts) => void): VisitFacts => {
  const f = emptyFacts();
  over(f);
  return f;
};

describe('explainEmptyRun', () => {
  it('a consent banner holding events: names its buttons and suggests --journey', () => {
    const hints = explainEmptyRun(facts((f) => {
      f.tag.requested = 1;
      f.consentButtons = ['Accept', 'Refuse cookies'];
    }));
    expect(hints[0]).toContain('a consent banner seems to hold the events (buttons: "Accept", "Refuse cookies")');
    expect(hints.at(-1)).toContain('run again with --journey <file.mjs>');
  });

  it('fbevents.js blocked: says so with its URL', () => {
    const hints = explainEmptyRun(facts((f) => {
      f.tag.requested = 1;
      f.fbevents = { requested: 1, failed: 1, blockedUrls: ['https://connect.facebook.net/en_US/fbevents.js'] };
    }));
    expect(hints[0]).toBe('fbevents.js was blocked or failed to load (https://connect.facebook.net/en_US/fbevents.js): no pixel hit can leave without it (content blocker, CSP, data-fbevents-url wrong?)');
  });

  it('no tag on the page, tag failing, forwards refused, nothing fired', () => {
    expect(explainEmptyRun(emptyFacts())[0]).toContain('never requested the capi-bridge tag');
    expect(explainEmptyRun(facts((f) => (f.tag = { requested: 1, failed: 1 })))[0]).toContain('failed to load');
    const refused = explainEmptyRun(facts((f) => {
      f.tag.requested = 1;
      f.collect = { sent: 2, statuses: [0, 403] };
    }));
    expect(refused[0]).toContain('2 of 2 forwards to /collect were refused or unanswered (HTTP 0, 403)');
    expect(refused[0]).toContain('ALLOWED_ORIGINS');
    expect(explainEmptyRun(facts((f) => (f.tag.requested = 1)))[0]).toContain("the tag loaded but nothing fired");
  });

  it('with a journey, points at the journey instead of suggesting one', () => {
    const hints = explainEmptyRun(facts((f) => {
      f.tag.requested = 1;
      f.journey = true;
    }));
    expect(hints.at(-1)).toMatch(/^check the journey/);
    expect(hints.join('\n')).not.toContain('run again with --journey');
  });
});

describe('explainDrop', () => {
  it('names the reason, the rule and the keys present', () => {
    const note = explainDrop('dropped', 'insufficient_match_keys', ['fbp', 'client_user_agent']);
    expect(note).toContain('the server dropped it: insufficient_match_keys');
    expect(note).toContain('rule: the destination\'s match-key rule (FB_MATCH_POLICY');
    expect(note).toMatch(/keys present: fbp, client_user_agent$/);
    expect(explainDrop('dropped', 'no_consent', undefined)).toContain('FB_CONSENT_CATEGORY');
    expect(explainDrop('dead_lettered', undefined, undefined)).toBe('the server did not send it: dead_lettered');
  });
});
