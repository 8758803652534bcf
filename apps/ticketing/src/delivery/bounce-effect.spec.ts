import { describe, expect, it } from 'vitest';
import type { BounceDetails } from '@ensoras/contracts';
import { bounceAction, bounceEffect } from './bounce-effect.js';

const bounce = (overrides: Partial<BounceDetails> = {}): BounceDetails => ({
  originalMessageId: '<ours@acme.example>',
  recipient: 'anna@customer.example',
  status: '5.1.1',
  action: 'failed',
  diagnostic: 'smtp; 550 5.1.1 <anna@customer.example>: Recipient address rejected: User unknown',
  ...overrides,
});

describe('bounceEffect', () => {
  it('marks a sent mail bounced, with status, recipient and diagnostic in the note', () => {
    expect(bounceEffect({ deliveryStatus: 'sent', deliveryNote: null }, bounce())).toEqual({
      deliveryStatus: 'bounced',
      deliveryNote: 'Bounced (5.1.1, anna@customer.example): smtp; 550 5.1.1 <anna@customer.example>: Recipient address rejected: User unknown.',
    });
  });

  it('marks a mail still queued bounced too (the bounce overtook the sent report)', () => {
    expect(bounceEffect({ deliveryStatus: 'queued', deliveryNote: null }, bounce())?.deliveryStatus).toBe('bounced');
  });

  it('keeps a delayed mail sent and says so in the note', () => {
    const effect = bounceEffect({ deliveryStatus: 'sent', deliveryNote: null }, bounce({ action: 'delayed', status: '4.4.7', diagnostic: null }));
    expect(effect).toEqual({ deliveryStatus: 'sent', deliveryNote: 'Delivery delayed (4.4.7, anna@customer.example). The receiving server keeps trying.' });
  });

  it('does not undo a bounce with a later delay warning, nor repeat itself', () => {
    expect(bounceEffect({ deliveryStatus: 'bounced', deliveryNote: 'Bounced' }, bounce({ action: 'delayed' }))).toBeNull();
    expect(bounceEffect({ deliveryStatus: 'bounced', deliveryNote: 'Bounced' }, bounce())).toBeNull();
    const delayed = bounce({ action: 'delayed' });
    const once = bounceEffect({ deliveryStatus: 'sent', deliveryNote: null }, delayed)!;
    expect(bounceEffect(once, delayed)).toBeNull();
  });

  it('writes a short note when the report says little', () => {
    expect(bounceEffect({ deliveryStatus: 'sent', deliveryNote: null }, bounce({ status: null, recipient: null, diagnostic: '  ' }))?.deliveryNote).toBe('Bounced.');
  });

  it('keeps the note within 2000 characters and on one line', () => {
    const note = bounceEffect({ deliveryStatus: 'sent', deliveryNote: null }, bounce({ diagnostic: 'x\n'.repeat(5_000) }))!.deliveryNote!;
    expect(note.length).toBeLessThanOrEqual(2_000);
    expect(note).not.toContain('\n');
  });
});

describe('bounceAction', () => {
  it('takes the action the report names', () => {
    expect(bounceAction({ action: 'failed', status: '4.0.0' })).toBe('failed');
    expect(bounceAction({ action: 'delayed', status: '5.0.0' })).toBe('delayed');
  });

  it('judges a report without action by its status class, failing when unsure', () => {
    expect(bounceAction({ action: null, status: '4.2.2' })).toBe('delayed');
    expect(bounceAction({ action: null, status: '5.2.2' })).toBe('failed');
    expect(bounceAction({ action: null, status: null })).toBe('failed');
  });
});
