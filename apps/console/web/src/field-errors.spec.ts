import { describe, expect, it } from 'vitest';
import { fieldErrorsOf, firstFieldWithError } from './field-errors.ts';

const KNOWN = ['imap.host', 'imap.port', 'imap.password', 'responseDelay.maxSeconds', 'guidelines'];

describe('fieldErrorsOf', () => {
  it('puts a message naming a known field beside that field, with the reason as the API wrote it', () => {
    const errors = fieldErrorsOf(['imap.port: imap.port must not be greater than 65535'], KNOWN);
    expect(errors).toEqual({ fields: { 'imap.port': 'imap.port must not be greater than 65535' }, general: [] });
  });

  it('joins several reasons for one field and drops repeats', () => {
    const errors = fieldErrorsOf(
      [
        'imap.port: imap.port must not be greater than 65535',
        'imap.port: imap.port must be an integer number',
        'imap.port: imap.port must be an integer number',
      ],
      KNOWN,
    );
    expect(errors.fields['imap.port']).toBe('imap.port must not be greater than 65535; imap.port must be an integer number');
  });

  it('keeps reasons that contain colons whole (the password rule names the changed settings)', () => {
    const message =
      'imap.password: imap.password is required when imap.host changes: the stored password is never sent to other connection settings';
    expect(fieldErrorsOf([message], KNOWN).fields['imap.password']).toBe(
      'imap.password is required when imap.host changes: the stored password is never sent to other connection settings',
    );
  });

  it('sends messages that name no field of the form, or are not field messages at all, to the general list', () => {
    const errors = fieldErrorsOf(
      [
        'imap.foo: property imap.foo should not exist',
        'safety: nested property safety must be either object or array',
        'The email channel is not configured yet: PUT the complete settings',
        'guidelines: guidelines must be shorter than or equal to 10000 characters',
      ],
      KNOWN,
    );
    expect(errors.general).toEqual([
      'imap.foo: property imap.foo should not exist',
      'safety: nested property safety must be either object or array',
      'The email channel is not configured yet: PUT the complete settings',
    ]);
    expect(errors.fields).toEqual({ guidelines: 'guidelines must be shorter than or equal to 10000 characters' });
  });

  it('handles a message whose path is a deeper known field and ignores blank messages', () => {
    const errors = fieldErrorsOf(['responseDelay.maxSeconds: responseDelay.maxSeconds must not be smaller than minSeconds', '  '], KNOWN);
    expect(errors).toEqual({
      fields: { 'responseDelay.maxSeconds': 'responseDelay.maxSeconds must not be smaller than minSeconds' },
      general: [],
    });
  });

  it('names the first field with an error in the form order', () => {
    const errors = fieldErrorsOf(['guidelines: too long', 'imap.port: too big'], KNOWN);
    expect(firstFieldWithError(errors, KNOWN)).toBe('imap.port');
    expect(firstFieldWithError(fieldErrorsOf([], KNOWN), KNOWN)).toBeNull();
  });
});
