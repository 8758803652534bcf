import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validate, type ValidationError } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { PatchEmailChannelDto, PutEmailChannelDto } from './channel-dto.js';
import { DEFAULT_HANDOFF_TEXT, MAX_HANDOFF_TEXT_LENGTH } from './channel-settings.js';

/** Dotted paths of the fields a body breaks, with the options of the services' validation pipe. */
async function invalidPaths(type: typeof PutEmailChannelDto | typeof PatchEmailChannelDto, plain: object): Promise<string[]> {
  const errors = await validate(plainToInstance(type, plain), { whitelist: true, forbidNonWhitelisted: true });
  const paths = (list: ValidationError[], parent: string): string[] =>
    list.flatMap((error) => {
      const path = parent ? `${parent}.${error.property}` : error.property;
      return [...(error.constraints ? [path] : []), ...paths(error.children ?? [], path)];
    });
  return paths(errors, '');
}

const channel = {
  imap: { host: 'imap.example.test', port: 993, encryption: 'ssl', username: 'u', password: 'p' },
  smtp: { host: 'smtp.example.test', port: 465, encryption: 'ssl', username: 'u', password: 'p' },
  identity: { fromEmail: 'support@example.test', fromName: 'Support' },
};

describe('aiMode and handoff in the channel DTOs', () => {
  it('take every AI mode and a complete handoff in a PUT, and both left out', async () => {
    for (const aiMode of ['auto', 'draft', 'off']) {
      expect(await invalidPaths(PutEmailChannelDto, { ...channel, aiMode, handoff: { acknowledge: true, text: 'We will be in touch.' } })).toEqual([]);
    }
    expect(await invalidPaths(PutEmailChannelDto, channel)).toEqual([]);
  });

  it('name aiMode when it is not one of the modes', async () => {
    for (const aiMode of ['manual', 'AUTO', '', 1, true]) {
      expect(await invalidPaths(PatchEmailChannelDto, { aiMode }), String(aiMode)).toEqual(['aiMode']);
    }
  });

  it('take the handoff block whole in a PUT and field by field in a PATCH', async () => {
    expect(await invalidPaths(PutEmailChannelDto, { ...channel, handoff: { acknowledge: true } })).toEqual(['handoff.text']);
    expect(await invalidPaths(PutEmailChannelDto, { ...channel, handoff: { text: DEFAULT_HANDOFF_TEXT } })).toEqual(['handoff.acknowledge']);
    expect(await invalidPaths(PatchEmailChannelDto, { handoff: { text: 'Thanks, a person will answer.' } })).toEqual([]);
    expect(await invalidPaths(PatchEmailChannelDto, { handoff: { acknowledge: false } })).toEqual([]);
  });

  it('name handoff.acknowledge when it is not a boolean', async () => {
    for (const acknowledge of ['true', 1, null]) {
      const paths = await invalidPaths(PutEmailChannelDto, { ...channel, handoff: { acknowledge, text: 'x' } });
      expect(paths, String(acknowledge)).toEqual(['handoff.acknowledge']);
    }
    expect(await invalidPaths(PatchEmailChannelDto, { handoff: { acknowledge: 'yes' } })).toEqual(['handoff.acknowledge']);
  });

  it('name handoff.text when it is blank, too long, HTML, has control characters or is no string', async () => {
    for (const text of ['', '   ', 'x'.repeat(MAX_HANDOFF_TEXT_LENGTH + 1), '<p>Thanks</p>', 'Thanks\u0000', 42]) {
      const paths = await invalidPaths(PatchEmailChannelDto, { handoff: { text } });
      expect(new Set(paths), JSON.stringify(text).slice(0, 40)).toEqual(new Set(['handoff.text']));
    }
    expect(await invalidPaths(PatchEmailChannelDto, { handoff: { text: 'x'.repeat(MAX_HANDOFF_TEXT_LENGTH) } })).toEqual([]);
  });

  it('refuse fields the handoff does not have', async () => {
    expect(await invalidPaths(PatchEmailChannelDto, { handoff: { html: '<p>x</p>' } })).toEqual(['handoff.html']);
  });
});

describe('sentFolder in the channel DTOs', () => {
  it('takes append true or false in a PUT and a PATCH, and the block left out', async () => {
    for (const append of [true, false]) {
      expect(await invalidPaths(PutEmailChannelDto, { ...channel, sentFolder: { append } })).toEqual([]);
      expect(await invalidPaths(PatchEmailChannelDto, { sentFolder: { append } })).toEqual([]);
    }
    expect(await invalidPaths(PatchEmailChannelDto, { sentFolder: {} })).toEqual([]);
  });

  it('names sentFolder.append when it is missing from a PUT or not a boolean', async () => {
    expect(await invalidPaths(PutEmailChannelDto, { ...channel, sentFolder: {} })).toEqual(['sentFolder.append']);
    for (const append of ['yes', 1, 'false']) {
      expect(await invalidPaths(PatchEmailChannelDto, { sentFolder: { append } }), String(append)).toEqual(['sentFolder.append']);
    }
    expect(await invalidPaths(PatchEmailChannelDto, { sentFolder: { folder: 'Sent' } })).toEqual(['sentFolder.folder']);
  });
});
