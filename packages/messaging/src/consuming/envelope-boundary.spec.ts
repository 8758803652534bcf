import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const APPS_DIR = fileURLToPath(new URL('../../../../apps', import.meta.url));

/** Every `@EventPattern(...)` handler in the services' sources, with the parameter decorator that gets its event. */
function eventHandlers(): Array<{ file: string; pattern: string; payload: string }> {
  const handlers: Array<{ file: string; pattern: string; payload: string }> = [];
  for (const app of readdirSync(APPS_DIR)) {
    const sourceDir = join(APPS_DIR, app, 'src');
    let files: string[];
    try {
      files = readdirSync(sourceDir, { recursive: true, encoding: 'utf8' });
    } catch {
      continue;
    }
    for (const file of files.filter((name) => name.endsWith('.ts') && !name.includes('spec'))) {
      const source = readFileSync(join(sourceDir, file), 'utf8');
      for (const match of source.matchAll(/@EventPattern(?:<[^>]*>)?\((\w+(?:\.anyProject)?)/g)) {
        // The handler's signature: from the decorator to the body's opening brace.
        const signature = source.slice(match.index, source.indexOf('{', match.index));
        const payload = /@Payload\((?:new \w+\(\w+\))?\)/.exec(signature)?.[0] ?? '';
        handlers.push({ file: `apps/${app}/src/${file}`, pattern: match[1]!, payload });
      }
    }
  }
  return handlers;
}

describe('the services validate every event they consume at the boundary', () => {
  it('takes each event through EnvelopeOf or EnvelopesOf of its own definition (envelope, major version, JSON Schema)', () => {
    const handlers = eventHandlers();
    expect(handlers.length).toBeGreaterThanOrEqual(8);
    for (const { file, pattern, payload } of handlers) {
      const definition = pattern.replace(/\.anyProject$/, '');
      expect(payload, `${file}: ${pattern}`).toMatch(new RegExp(`^@Payload\\(new Envelopes?Of\\(${definition}\\)\\)$`));
    }
  });
});
