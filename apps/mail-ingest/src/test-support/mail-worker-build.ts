/**
 * mail-ingest parses in worker threads, which run the built @ensoras/mail (see InboundParserPool in that package):
 * integration tests build it once per test process before the service starts.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
let built: Promise<void> | undefined;

export function buildMailPackage(): Promise<void> {
  built ??= new Promise<void>((resolve, reject) => {
    execFile('npm', ['run', 'build', '-w', '@ensoras/mail'], { cwd: REPO_ROOT }, (error, stdout, stderr) =>
      error ? reject(new Error(`npm run build -w @ensoras/mail failed:\n${stdout}${stderr}`)) : resolve(),
    );
  });
  return built;
}
