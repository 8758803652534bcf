import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConsoleEnvironment } from './console.environment.js';
import { loadEnvironment } from './load-environment.js';

describe('loadEnvironment', () => {
  afterEach(() => vi.restoreAllMocks());

  it('exits before starting anything, naming each bad variable and why', () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockReturnValue(true);
    vi.spyOn(process, 'exit').mockImplementation(((code?: number) => {
      throw new Error(`exit ${code}`);
    }) as typeof process.exit);

    expect(() => loadEnvironment(ConsoleEnvironment, { PORT: '0', TICKETING_URL: 'ticketing', CONSOLE_WEB_DIR: '/nowhere' })).toThrow('exit 1');
    const message = String(stderr.mock.calls[0][0]);
    expect(message).toMatch(/^Invalid environment:\n/);
    expect(message).toContain('  PORT: PORT must not be less than 1');
    expect(message).toContain('  TICKETING_URL: TICKETING_URL must be an http(s) URL, e.g. http://127.0.0.1:3001');
    expect(message).toContain('  CONSOLE_WEB_DIR: CONSOLE_WEB_DIR must be the built web page; /nowhere has no index.html (run `npm run build`)');
  });
});
