import type { TicketPage, TicketView } from '@ensoras/contracts';
import type { SmtpTestServer } from '@ensoras/testing';

/** A call to a service's HTTP API with the ADMIN_TOKEN: status and parsed body. */
export type AdminApi = <T>(base: string, method: string, path: string, body?: unknown) => Promise<{ status: number; body: T }>;

export function adminApi(adminToken: string): AdminApi {
  return async <T>(base: string, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
  };
}

/** Every ticket of the project, page after page. */
export async function allTickets(api: AdminApi, ticketing: string, projectId: string): Promise<TicketView[]> {
  const items: TicketView[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const page = await api<TicketPage>(ticketing, 'GET', `/v1/projects/${projectId}/tickets?limit=100${query}`);
    items.push(...page.body.items);
    cursor = page.body.nextCursor;
  } while (cursor);
  return items;
}

/**
 * The customers whose reply may or may not have been delivered: its sender was killed between the end of DATA and
 * recording the server's answer. It is never sent again, and the ticket goes to a human saying so.
 */
export function uncertainDeliveries(tickets: TicketView[]): string[] {
  return tickets.filter((ticket) => ticket.handoffReason?.includes('delivery_uncertain')).map((ticket) => ticket.customer.address);
}

/** What became of each customer's mail: how many tickets it made and how many replies the customer got. */
export interface ChaosOutcome {
  ticketsPerCustomer: Map<string, number>;
  repliesPerCustomer: Map<string, number>;
  uncertain: string[];
}

export function outcomeOf(tickets: TicketView[], sent: SmtpTestServer['messages']): ChaosOutcome {
  const repliesPerCustomer = new Map<string, number>();
  for (const mail of sent) {
    for (const to of mail.envelopeTo) repliesPerCustomer.set(to, (repliesPerCustomer.get(to) ?? 0) + 1);
  }
  const ticketsPerCustomer = new Map<string, number>();
  for (const ticket of tickets) ticketsPerCustomer.set(ticket.customer.address, (ticketsPerCustomer.get(ticket.customer.address) ?? 0) + 1);
  return { ticketsPerCustomer, repliesPerCustomer, uncertain: uncertainDeliveries(tickets) };
}

/** The tickets and answers lines of a chaos run's summary. */
export function outcomeSummary(customers: string[], outcome: ChaosOutcome, tickets: number, answers: number): string[] {
  const { ticketsPerCustomer, repliesPerCustomer, uncertain } = outcome;
  return [
    `  tickets ${tickets}, duplicates ${[...ticketsPerCustomer.values()].filter((n) => n > 1).length}, ` +
      `lost ${customers.filter((c) => !ticketsPerCustomer.has(c)).length}`,
    `  answers ${answers}, customers answered twice ${[...repliesPerCustomer.values()].filter((n) => n > 1).length}, ` +
      `unanswered ${customers.filter((c) => !repliesPerCustomer.has(c)).length}, delivery uncertain (handed off) ${uncertain.length}`,
  ];
}
