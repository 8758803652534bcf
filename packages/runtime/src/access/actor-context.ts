import { AsyncLocalStorage } from 'node:async_hooks';
import type { ApiActor, ChangeActor } from '@ensoras/contracts';

/** Filled by the access guards once they know who is calling; one per HTTP request. */
interface ActorHolder {
  actor?: ApiActor;
}

const storage = new AsyncLocalStorage<ActorHolder>();
const SYSTEM: ChangeActor = { kind: 'system' };

/**
 * Who the work in progress is done for: the caller of the HTTP request being handled, or `system` outside any (event
 * handlers, start-up work, timers). Read where a change is recorded (channel-config's audit log), so that no service
 * signature has to pass it along.
 */
export function currentActor(): ChangeActor {
  return storage.getStore()?.actor ?? SYSTEM;
}

/** Runs `work` as done by `actor`: for a request in tests, or work done on a caller's behalf outside a request. */
export function runAsActor<T>(actor: ApiActor, work: () => T): T {
  return storage.run({ actor }, work);
}

/**
 * Express middleware: the rest of the request runs in its own holder, which the guard fills in. A middleware rather
 * than an interceptor, so that it wraps every route, whichever guard protects it, and never an event handler.
 */
export function actorContextMiddleware(_request: unknown, _response: unknown, next: () => void): void {
  storage.run({}, next);
}

/** Called by a guard that has authenticated the request. */
export function recordActor(actor: ApiActor): void {
  const holder = storage.getStore();
  if (holder) holder.actor = actor;
}
