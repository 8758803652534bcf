import { describe, expect, it } from 'vitest';
import {
  AI_MODES,
  aiModeOf,
  DEFAULT_AI_MODE,
  DEFAULT_HANDOFF,
  DEFAULT_HANDOFF_TEXT,
  defaultImportSince,
  handoffOf,
  importSinceOf,
  plainTextProblem,
  sentFolderOf,
  type SentFolderSettings,
  type AiMode,
  type HandoffSettings,
} from './channel-settings.js';

describe('how much history a channel imports', () => {
  const now = new Date('2026-12-01T23:40:00Z');

  it('defaults to the start of the day 14 days ago (UTC)', () => {
    expect(defaultImportSince(now)).toBe('2026-11-17T00:00:00.000Z');
    expect(defaultImportSince(new Date('2026-03-10T00:00:00Z'))).toBe('2026-02-24T00:00:00.000Z');
  });

  it('reads the stored choice: a date, or null for the whole mailbox', () => {
    expect(importSinceOf({ import: { since: '2020-01-01T00:00:00.000Z' } }, now)).toEqual(new Date('2020-01-01T00:00:00Z'));
    expect(importSinceOf({ import: { since: null } }, now)).toBeNull();
  });

  it('gives a snapshot written before the setting existed the default, never the whole mailbox', () => {
    expect(importSinceOf({}, now)).toEqual(new Date('2026-11-17T00:00:00Z'));
  });
});

describe('the AI mode of a snapshot', () => {
  it('is what channel-config wrote', () => {
    for (const mode of AI_MODES) expect(aiModeOf({ aiMode: mode })).toBe(mode);
  });

  it('is auto for a snapshot written before the setting existed (the AI answered then), and without settings', () => {
    expect(aiModeOf({})).toBe('auto');
    expect(aiModeOf(null)).toBe('auto');
    expect(aiModeOf(undefined)).toBe('auto');
    expect(DEFAULT_AI_MODE).toBe('auto');
  });

  it('is draft for a mode this code does not know: nothing reaches a customer without an agent', () => {
    expect(aiModeOf({ aiMode: 'sometimes' as AiMode })).toBe('draft');
  });
});

describe('the handoff acknowledgement of a snapshot', () => {
  it('is what channel-config wrote', () => {
    expect(handoffOf({ handoff: { acknowledge: true, text: 'We are on it.' } })).toEqual({ acknowledge: true, text: 'We are on it.' });
  });

  it('sends nothing for a snapshot written before the setting existed, with the default text ready', () => {
    expect(handoffOf({})).toEqual({ acknowledge: false, text: DEFAULT_HANDOFF_TEXT });
    expect(handoffOf(null)).toEqual(DEFAULT_HANDOFF);
    expect(DEFAULT_HANDOFF_TEXT).toBe('Thank you for your message. A member of our team will get back to you shortly.');
  });

  it('acknowledges only on true, and never with an empty text', () => {
    const odd = { acknowledge: 'yes', text: '  ' } as unknown as HandoffSettings;
    expect(handoffOf({ handoff: odd })).toEqual({ acknowledge: false, text: DEFAULT_HANDOFF_TEXT });
    expect(handoffOf({ handoff: { acknowledge: true } as HandoffSettings })).toEqual({ acknowledge: true, text: DEFAULT_HANDOFF_TEXT });
  });

  it('hands out a copy: changing it does not change the default', () => {
    const handoff = handoffOf({});
    handoff.acknowledge = true;
    expect(DEFAULT_HANDOFF.acknowledge).toBe(false);
  });
});

describe('plain text for customers', () => {
  it('takes text with line breaks, tabs, ampersands and angle brackets that are no tags', () => {
    for (const text of [DEFAULT_HANDOFF_TEXT, 'Hi,\n\n\tthanks!\r\nQ&A: 3 < 5 and 5 > 3 <3', 'See <https://help.example/faq>', 'Grüße – 谢谢 👋']) {
      expect(plainTextProblem(text), text).toBeNull();
    }
  });

  it('refuses blank text, HTML tags and comments, and control characters', () => {
    expect(plainTextProblem('')).toBe('must not be blank');
    expect(plainTextProblem(' \n\t')).toBe('must not be blank');
    for (const html of ['<p>Thanks</p>', 'Thanks<br>', 'Thanks<br/>', '</div>', '<a href="https://x.example">x</a>', '<!-- hi -->', '<IMG SRC=x onerror=alert(1)>', '<img/src=x onerror=alert(1)>']) {
      expect(plainTextProblem(html), html).toBe('must be plain text, without HTML tags');
    }
    for (const control of ['a\u0000b', 'bell\u0007', 'esc\u001b[31m', 'del\u007f', 'c1\u0085']) {
      expect(plainTextProblem(control), JSON.stringify(control)).toMatch(/^must not contain control characters/);
    }
  });

  it('answers in linear time on long adversarial input', () => {
    const started = performance.now();
    plainTextProblem('<a '.repeat(100_000));
    plainTextProblem('<a'.repeat(100_000) + '\u0000');
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});

describe('the Sent folder setting of a snapshot', () => {
  it('is what channel-config wrote', () => {
    expect(sentFolderOf({ sentFolder: { append: false } })).toEqual({ append: false });
    expect(sentFolderOf({ sentFolder: { append: true } })).toEqual({ append: true });
  });

  it('appends for a snapshot written before the setting existed, and without settings', () => {
    expect(sentFolderOf({})).toEqual({ append: true });
    expect(sentFolderOf(null)).toEqual({ append: true });
  });

  it('is turned off only by an explicit false', () => {
    expect(sentFolderOf({ sentFolder: {} as SentFolderSettings })).toEqual({ append: true });
    expect(sentFolderOf({ sentFolder: { append: 'no' } as unknown as SentFolderSettings })).toEqual({ append: true });
  });
});
