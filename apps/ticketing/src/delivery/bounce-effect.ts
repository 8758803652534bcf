import type { BounceDetails, DeliveryStatus } from '@ensoras/contracts';

export interface DeliveryState {
  deliveryStatus: DeliveryStatus;
  deliveryNote: string | null;
}

/**
 * What a delivery-status notification about one of our outgoing mails does to it. A failure (or a report that does
 * not say, unless its status code is a temporary 4.x.x one) makes the mail `bounced`; a delay keeps its status and
 * says so in the note, since the receiving server still tries. A mail that bounced stays bounced: a later delay
 * warning for it changes nothing. Null when nothing changes.
 */
export function bounceEffect(current: DeliveryState, bounce: BounceDetails): DeliveryState | null {
  const failed = bounceAction(bounce) === 'failed';
  if (current.deliveryStatus === 'bounced') return null;
  const next: DeliveryState = failed
    ? { deliveryStatus: 'bounced', deliveryNote: describe('Bounced', bounce) }
    : { deliveryStatus: current.deliveryStatus, deliveryNote: `${describe('Delivery delayed', bounce)} The receiving server keeps trying.` };
  return next.deliveryStatus === current.deliveryStatus && next.deliveryNote === current.deliveryNote ? null : next;
}

/** `failed` or `delayed`; a report without an action is judged by its status class (4 = temporary). */
export function bounceAction(bounce: Pick<BounceDetails, 'action' | 'status'>): 'failed' | 'delayed' {
  if (bounce.action === 'failed' || bounce.action === 'delayed') return bounce.action;
  return bounce.status?.trim().startsWith('4.') ? 'delayed' : 'failed';
}

function describe(what: string, bounce: BounceDetails): string {
  const facts = [bounce.status, bounce.recipient].map((fact) => fact?.trim()).filter((fact): fact is string => !!fact);
  const diagnostic = bounce.diagnostic?.replace(/\s+/g, ' ').trim();
  const said = `${what}${facts.length > 0 ? ` (${facts.join(', ')})` : ''}${diagnostic ? `: ${diagnostic}` : ''}`;
  // A sentence, so that the delay's second sentence reads as one.
  const note = /[.!?]$/.test(said) ? said : `${said}.`;
  return note.length > 2_000 ? `${note.slice(0, 1_999)}…` : note;
}
