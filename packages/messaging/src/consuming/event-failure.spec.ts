import { describe, expect, it } from 'vitest';
import { classifyEventFailure, describeError, PermanentEventError } from './event-failure.js';

function withCode(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('classifyEventFailure', () => {
  it.each([
    ['a refused database connection', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['a reset socket', withCode('read ECONNRESET', 'ECONNRESET')],
    ['pg connecting to a database that shuts down', withCode('terminating connection due to administrator command', '57P01')],
    ['a database still starting', withCode('the database system is starting up', '57P03')],
    ['a lost connection (SQLSTATE 08006)', withCode('connection failure', '08006')],
    ['a deadlock', withCode('deadlock detected', '40P01')],
    ['pg-pool giving up', new Error('timeout exceeded when trying to connect')],
    ['pg losing the server mid-query', new Error('Connection terminated unexpectedly')],
    ['a NATS request timeout', Object.assign(new Error('timeout'), { name: 'TimeoutError' })],
    ['NATS closed', Object.assign(new Error('closed connection'), { name: 'ClosedConnectionError' })],
    ['no JetStream responders', Object.assign(new Error('no responders'), { name: 'NoResponders' })],
    ['Node aggregating IPv4 and IPv6 refusals', new AggregateError([withCode('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED')], '')],
    ['TypeORM wrapping a driver error', Object.assign(new Error('Query failed'), { driverError: withCode('x', 'ECONNREFUSED') })],
    ['an error caused by a refusal', new Error('could not load', { cause: withCode('connect ECONNREFUSED', 'ECONNREFUSED') })],
  ])('%s is transient', (_, error) => {
    expect(classifyEventFailure(error)).toBe('transient');
  });

  it.each([
    ['PermanentEventError', new PermanentEventError('payload.messageId: must be a string')],
    ['one thrown from another copy of the package', Object.assign(new Error('unknown version 3'), { name: 'PermanentEventError' })],
    ['one wrapping a transient cause', new PermanentEventError('bad', { cause: withCode('x', 'ECONNREFUSED') })],
  ])('%s is permanent', (_, error) => {
    expect(classifyEventFailure(error)).toBe('permanent');
  });

  it.each([
    ['a unique violation', withCode('duplicate key value violates unique constraint', '23505')],
    ['a TypeError', new TypeError("Cannot read properties of undefined (reading 'x')")],
    ['a plain object from Nest', { status: 'error', message: 'Internal server error' }],
    ['a string', 'boom'],
    ['undefined', undefined],
  ])('%s is unknown', (_, error) => {
    expect(classifyEventFailure(error)).toBe('unknown');
  });
});

describe('describeError', () => {
  it('names the refusals of an AggregateError, whose own message is empty', () => {
    const error = new AggregateError([withCode('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED'), withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')], '');
    expect(describeError(error)).toBe('connect ECONNREFUSED ::1:5432; connect ECONNREFUSED 127.0.0.1:5432');
  });
});
