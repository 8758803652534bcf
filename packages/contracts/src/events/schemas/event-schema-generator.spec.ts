import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as contracts from '../../index.js';
import type { EventDefinition } from '../envelope.js';
import { EVENT_SCHEMAS, eventSchemaOf } from './event-catalog.js';
import { generateEventSchemas, repositoryPath } from './event-schema-generator.js';

function definitionsOfTheContracts(): EventDefinition<unknown>[] {
  return (Object.values(contracts) as unknown[]).filter(
    (value): value is EventDefinition<unknown> => typeof value === 'object' && value !== null && 'anyProject' in value && 'version' in value,
  );
}

describe('event schemas (docs/events and the catalog of @ensoras/contracts)', () => {
  // Compiles the contracts with TypeScript: seconds, not milliseconds.
  const generation = generateEventSchemas();

  it.each(generation.files.map((file) => [file.path, file]))('%s is what `npm run schemas` makes of the contracts now', (_, file) => {
    let onDisk: string | null = null;
    try {
      onDisk = readFileSync(repositoryPath(file.path), 'utf8');
    } catch {
      // Missing: compared below, as a drift.
    }
    expect(onDisk, `${file.path} is out of date: run npm run schemas`).toBe(file.content);
  });

  it('has no schema of an event the contracts do not define', () => {
    expect(generation.staleFiles, 'run npm run schemas').toEqual([]);
  });

  it('has a schema of every event definition, in its version, with its subject and stream', () => {
    const definitions = definitionsOfTheContracts();
    expect(definitions.length).toBeGreaterThan(10);
    for (const definition of definitions) {
      const document = eventSchemaOf(definition.type, definition.version);
      expect(document, definition.type).toBeDefined();
      expect(document).toMatchObject({ anyProject: definition.anyProject, subject: definition.subject('{projectId}'), stream: contracts.STREAMS[definition.area] });
    }
    expect(new Set(EVENT_SCHEMAS.map((document) => document.type))).toEqual(new Set(definitions.map((definition) => definition.type)));
  });
});
