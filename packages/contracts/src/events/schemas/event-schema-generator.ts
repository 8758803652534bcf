import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFormatter, createParser, DEFAULT_CONFIG, SchemaGenerator, type CompletedConfig } from 'ts-json-schema-generator';
import ts from 'typescript';
import { PROJECT_ID_PATTERN, type StreamArea } from '../envelope.js';
import { STREAMS } from '../streams.js';
import type { EventSchemaDocument, JsonSchema } from './event-catalog.js';
import { findEventDeclarations, type EventDeclaration } from './event-declarations.js';

/** Same depth in src/ and dist/: packages/contracts/<src|dist>/events/schemas. */
const CONTRACTS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const REPO_ROOT = resolve(CONTRACTS_DIR, '../..');
/** Where the schemas are published for other teams, relative to the repository root. */
export const EVENT_SCHEMAS_DIR = 'docs/events';
/** The same schemas as a module of this package, for the consumers' validation at run time. */
export const EVENT_CATALOG_MODULE = 'packages/contracts/src/events/schemas/event-schemas.generated.ts';

const SCHEMA_FILE = /^(?<type>[a-z][a-z0-9.]*)\.v(?<version>[1-9][0-9]*)\.schema\.json$/;

/**
 * What events of an unchanged major version still carry from before a change: the schemas accept it, so a consumer
 * replaying older events does not dead-letter them, and other teams learn they may meet it. The TypeScript types stay
 * strict for the publishers, who always write the current shape.
 */
const LEGACY_ENUM_VALUES: Record<string, { values: string[]; note: string }> = {
  TicketStatus: { values: ['handed_off'], note: '`handed_off` is what events before issue 9 called `needs_human`.' },
};
const LEGACY_OPTIONAL_FIELDS: Record<string, { fields: string[]; note: string }> = {
  MailReceivedPayload: {
    fields: ['newText', 'oversized', 'bounce'],
    note: 'Events before issue 3 have no newText (text stands in), oversized (not oversized) or bounce (none).',
  },
};

/** What the envelope fields without a doc comment mean (envelope.ts documents the others). */
const ENVELOPE_FIELD_DESCRIPTIONS: Record<string, string> = {
  type: 'The event type: the subject without the project token.',
  version: 'The major version of the payload schema. Payloads only grow within a version; a change that is not additive gets a new version.',
  occurredAt: 'ISO 8601: when the publishing service made the change.',
  projectId: 'The project; the same as the subject\'s second token.',
};

export interface GeneratedFile {
  /** Relative to the repository root. */
  path: string;
  content: string;
}

export interface EventSchemaGeneration {
  /** Every file the generator owns, with the content it must have. */
  files: GeneratedFile[];
  /** Files in docs/events that no event of the contracts explains any more (deleted by `npm run schemas`). */
  staleFiles: string[];
}

/**
 * JSON Schema (draft-07) of every event defined in the contracts, envelope and payload, generated from their
 * TypeScript types. A schema of an older major version of an event already in docs/events is kept as it is: events
 * of that version still sit in the streams.
 */
export function generateEventSchemas(): EventSchemaGeneration {
  const declarations = findEventDeclarations(contractSourceFiles().map((fileName) => parse(fileName)));
  if (declarations.length === 0) throw new Error('No defineEvent(...) found in the contracts');
  const generator = schemaGeneratorFor(declarations);
  const current = declarations.map((declaration, position) => documentOf(declaration, envelopeSchema(generator, position, declaration)));
  const kept = olderVersionsOnDisk(current);
  const documents = [...current, ...kept].sort((a, b) => compareText(a.type, b.type) || a.version - b.version);
  const files: GeneratedFile[] = [
    ...documents.map((document) => ({ path: `${EVENT_SCHEMAS_DIR}/${schemaFileName(document)}`, content: json(document.schema) })),
    { path: `${EVENT_SCHEMAS_DIR}/index.json`, content: json(indexOf(documents)) },
    { path: EVENT_CATALOG_MODULE, content: catalogModuleOf(documents) },
  ];
  const generated = new Set(files.map((file) => file.path));
  const staleFiles = filesIn(EVENT_SCHEMAS_DIR).filter((path) => path.endsWith('.json') && !generated.has(path));
  return { files, staleFiles };
}

export function schemaFileName({ type, version }: { type: string; version: number }): string {
  return `${type}.v${version}.schema.json`;
}

function contractSourceFiles(): string[] {
  const sourceDir = join(CONTRACTS_DIR, 'src');
  return readdirSync(sourceDir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.spec.ts') && !name.endsWith('.d.ts'))
    .sort()
    .map((name) => join(sourceDir, name));
}

function parse(fileName: string): ts.SourceFile {
  return ts.createSourceFile(relative(REPO_ROOT, fileName), readFileSync(fileName, 'utf8'), ts.ScriptTarget.ES2022, true);
}

/**
 * ts-json-schema-generator takes named, non-generic root types only: a file that exists only in memory names
 * `EventEnvelope<Payload>` of each event, beside the contracts' own sources.
 */
function schemaGeneratorFor(declarations: EventDeclaration[]): SchemaGenerator {
  const tsconfig = join(CONTRACTS_DIR, 'tsconfig.json');
  const parsed = ts.getParsedCommandLineOfConfigFile(tsconfig, {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(`${tsconfig}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`);
    },
  });
  if (!parsed) throw new Error(`Cannot read ${tsconfig}`);
  const envelopesFile = join(CONTRACTS_DIR, 'src/events/schemas/event-envelopes.in-memory.ts');
  const payloadTypes = [...new Set(declarations.map((declaration) => declaration.payloadType))];
  const envelopesSource = [
    `import type { EventEnvelope, ${payloadTypes.join(', ')} } from '../../index.js';`,
    ...declarations.map((declaration, position) => `export type ${rootTypeName(position)} = EventEnvelope<${declaration.payloadType}>;`),
  ].join('\n');
  const options = { ...parsed.options, noEmit: true };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.getSourceFile = (fileName, languageVersion, ...rest) =>
    fileName === envelopesFile ? ts.createSourceFile(fileName, envelopesSource, languageVersion, true) : getSourceFile(fileName, languageVersion, ...rest);
  host.fileExists = (fileName) => fileName === envelopesFile || fileExists(fileName);
  const program = ts.createProgram([join(CONTRACTS_DIR, 'src/index.ts'), envelopesFile], options, host);
  const problems = ts.getPreEmitDiagnostics(program, program.getSourceFile(envelopesFile));
  if (problems.length > 0) {
    throw new Error(`The event payload types do not resolve: ${problems.map((problem) => ts.flattenDiagnosticMessageText(problem.messageText, '\n')).join('; ')}`);
  }
  const config: CompletedConfig = {
    ...DEFAULT_CONFIG,
    jsDoc: 'extended',
    // Payloads only grow within a version: a consumer must accept fields it does not know yet.
    additionalProperties: true,
    skipTypeCheck: true,
    expose: 'export',
    topRef: false,
  };
  return new SchemaGenerator(program, createParser(program, config), createFormatter(config), config);
}

function rootTypeName(position: number): string {
  return `EnsorasEventEnvelope${position}`;
}

/** The envelope of one event with its payload, and the definitions it refers to. */
function envelopeSchema(generator: SchemaGenerator, position: number, declaration: EventDeclaration): { envelope: JsonSchema; definitions: Record<string, JsonSchema> } {
  const generated = generator.createSchema(rootTypeName(position)) as JsonSchema & { definitions: Record<string, JsonSchema> };
  // The root refers to `EventEnvelope<Payload>` (through the in-memory alias, depending on how it was named).
  let envelopeName = '';
  for (let root: JsonSchema | undefined = generated; typeof root?.$ref === 'string'; root = generated.definitions[envelopeName]) {
    envelopeName = decodeURIComponent(root.$ref.replace(/^#\/definitions\//, ''));
  }
  const { [envelopeName]: envelope, [rootTypeName(position)]: _alias, ...definitions } = generated.definitions;
  if (!envelope || envelope.type !== 'object') throw new Error(`${declaration.exportName}: unexpected schema of its envelope (${envelopeName})`);
  return { envelope, definitions };
}

function documentOf(declaration: EventDeclaration, { envelope, definitions }: ReturnType<typeof envelopeSchema>): EventSchemaDocument {
  const { area, event, version, payloadType } = declaration;
  const type = `${area}.${event}`;
  const stream = STREAMS[area as StreamArea];
  if (!stream) throw new Error(`${declaration.exportName}: no stream carries the area "${area}"`);
  const subject = `${area}.{projectId}.${event}`;
  const properties = { ...(envelope.properties as Record<string, JsonSchema>) };
  for (const [field, description] of Object.entries(ENVELOPE_FIELD_DESCRIPTIONS)) {
    if (properties[field]) properties[field] = { ...properties[field], description: properties[field].description ?? description };
  }
  properties.type = { ...properties.type, const: type };
  properties.version = { ...properties.version, type: 'integer', const: version };
  properties.projectId = { ...properties.projectId, pattern: PROJECT_ID_PATTERN.source };
  const schema: JsonSchema = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: `${type} v${version}`,
    description: [
      declaration.description,
      `Published on \`${area}.<projectId>.${event}\` (stream ${stream}): an event envelope whose payload is a ${payloadType}.`,
      'Fields not listed here may appear within this version: ignore them.',
    ].filter(Boolean).join(' '),
    type: 'object',
    properties,
    required: envelope.required,
    definitions: sortedByKey(withLegacyValues(definitions)),
  };
  return { type, version, subject, anyProject: `${area}.*.${event}`, stream, payload: payloadType, schema };
}

function withLegacyValues(definitions: Record<string, JsonSchema>): Record<string, JsonSchema> {
  const result = { ...definitions };
  for (const [name, legacy] of Object.entries(LEGACY_OPTIONAL_FIELDS)) {
    const definition = result[name];
    if (!definition || !Array.isArray(definition.required)) continue;
    result[name] = {
      ...definition,
      required: definition.required.filter((field) => !legacy.fields.includes(String(field))),
      description: [definition.description, legacy.note].filter(Boolean).join(' '),
    };
  }
  for (const [name, legacy] of Object.entries(LEGACY_ENUM_VALUES)) {
    const definition = result[name];
    if (!definition || !Array.isArray(definition.enum)) continue;
    result[name] = {
      ...definition,
      enum: [...definition.enum, ...legacy.values],
      description: [definition.description, legacy.note].filter(Boolean).join(' '),
    };
  }
  return result;
}

/** Schemas in docs/events of an older major version of an event the contracts define now: kept as they are. */
function olderVersionsOnDisk(current: EventSchemaDocument[]): EventSchemaDocument[] {
  const currentVersion = new Map(current.map((document) => [document.type, document]));
  const kept: EventSchemaDocument[] = [];
  for (const path of filesIn(EVENT_SCHEMAS_DIR)) {
    const match = SCHEMA_FILE.exec(path.slice(EVENT_SCHEMAS_DIR.length + 1));
    const now = match?.groups ? currentVersion.get(match.groups.type!) : undefined;
    const version = Number(match?.groups?.version);
    if (!now || version >= now.version) continue;
    const schema = JSON.parse(readFileSync(join(REPO_ROOT, path), 'utf8')) as JsonSchema;
    const payloadRef = String((schema.properties as Record<string, JsonSchema> | undefined)?.payload?.$ref ?? '');
    kept.push({ ...now, version, payload: payloadRef.replace(/^#\/definitions\//, ''), schema });
  }
  return kept;
}

function indexOf(documents: EventSchemaDocument[]): JsonSchema {
  return {
    description:
      'Every event on the Ensoras NATS JetStream streams: its type, major version, subject (with {projectId} for the project token), stream and JSON Schema (envelope and payload) in this folder. Generated by `npm run schemas` from packages/contracts.',
    events: documents.map(({ type, version, subject, anyProject, stream, payload }) => ({
      type,
      version,
      subject,
      anyProject,
      stream,
      payload,
      schema: schemaFileName({ type, version }),
    })),
  };
}

function catalogModuleOf(documents: EventSchemaDocument[]): string {
  return [
    '// Generated by `npm run schemas` from the event contracts (see event-schema-generator.ts): do not edit. The same',
    '// schemas as docs/events, for the consumers\' validation at run time.',
    "import type { EventSchemaDocument } from './event-catalog.js';",
    '',
    `export const EVENT_SCHEMA_DOCUMENTS: readonly EventSchemaDocument[] = ${JSON.stringify(documents, null, 2)};`,
    '',
  ].join('\n');
}

function filesIn(directory: string): string[] {
  const absolute = join(REPO_ROOT, directory);
  if (!existsSync(absolute)) return [];
  return readdirSync(absolute).sort().map((name) => `${directory}/${name}`);
}

function sortedByKey<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => compareText(a, b)));
}

/** Code-unit order, the same on every machine (localeCompare depends on the locale). */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** The repository root, for writing what generateEventSchemas() returns. */
export function repositoryPath(path: string): string {
  return join(REPO_ROOT, path);
}
