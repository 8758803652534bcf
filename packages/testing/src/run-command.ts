import { spawn } from 'node:child_process';

export interface CommandResult {
  stdout: string;
  stderr: string;
}

/** Runs a command to completion, optionally feeding `input` on stdin; rejects on a non-zero exit with its stderr. */
export function runCommand(command: string, args: string[], input?: string | Buffer): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      const result = { stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') };
      if (code === 0) resolve(result);
      else {
        const status = signal ? `signal ${signal}` : `exit code ${code}`;
        reject(new Error(`${command} ${args.join(' ')} failed with ${status}: ${result.stderr.trim() || result.stdout.trim()}`));
      }
    });
    // The child may exit before reading stdin (e.g. a usage error); that EPIPE is
    // reported through the exit code, so it must not crash the test process.
    child.stdin.once('error', () => undefined);
    child.stdin.end(input ?? '');
  });
}
