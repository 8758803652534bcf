// Runs the services of `npm start` as child processes: output prefixed per service, a service that exits on its own
// restarted with back-off while the others keep running, and a quiet stop on Ctrl-C (one line per service).
// concurrently was used before; its restart delay doubles without a cap and never resets, and its kill-others flow
// turns one crash into a stopped stack, so this small supervisor replaces it.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

// No red: it reads as an error. The sixth, bright cyan, is the console's.
const COLORS = [36, 32, 35, 33, 34, 96];
const RESTART_DELAYS_MS = [1_000, 2_000, 5_000, 10_000, 30_000];
/** A service that stayed up this long is healthy again: its next crash restarts it after the shortest delay. */
const STABLE_AFTER_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;

export function supervise(commands, { cwd }) {
  const width = Math.max(...commands.map((command) => command.name.length));
  const colour = process.stdout.isTTY && !process.env.NO_COLOR;
  let stopping = false;

  const children = commands.map((command, index) => {
    const label = colour ? `\x1b[${COLORS[index % COLORS.length]}m${command.name.padEnd(width)}\x1b[0m` : command.name.padEnd(width);
    const state = { command, label, process: null, failures: 0, startedAt: 0, timer: null, exited: null };

    const start = () => {
      state.startedAt = Date.now();
      // Own process group: Ctrl-C reaches only the supervisor, which stops each service in turn.
      const child = spawn(command.command[0], command.command.slice(1), {
        cwd,
        env: { ...process.env, ...command.env },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      state.process = child;
      state.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
      for (const stream of [child.stdout, child.stderr]) {
        createInterface({ input: stream }).on('line', (line) => process.stdout.write(`${label} | ${line}\n`));
      }
      void state.exited.then(({ code, signal }) => {
        if (stopping) return;
        if (Date.now() - state.startedAt > STABLE_AFTER_MS) state.failures = 0;
        const delay = RESTART_DELAYS_MS[Math.min(state.failures, RESTART_DELAYS_MS.length - 1)];
        state.failures += 1;
        const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        process.stdout.write(`${label} | ${command.name} ${how}; restarting in ${delay / 1000} s (the others keep running)\n`);
        state.timer = setTimeout(start, delay);
      });
    };
    start();
    return state;
  });

  return {
    /** SIGTERM to every service, then wait; a service that ignores it for 15 s is killed. */
    async stop() {
      stopping = true;
      await Promise.all(
        children.map(async (state) => {
          clearTimeout(state.timer);
          const child = state.process;
          if (child.exitCode !== null || child.signalCode !== null) {
            process.stdout.write(`${state.label} | stopped\n`);
            return;
          }
          child.kill('SIGTERM');
          const forced = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
          const { code, signal } = await state.exited;
          clearTimeout(forced);
          const clean = code === 0 || signal === 'SIGTERM';
          process.stdout.write(`${state.label} | stopped${clean ? '' : ` (${signal ?? `exit code ${code}`})`}\n`);
        }),
      );
    },
  };
}
