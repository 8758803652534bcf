// Which process spent the CPU of a benchmark window: every process's user + system time from /proc/<pid>/stat,
// grouped by what it is (one of the services, PostgreSQL, NATS, Dovecot, this bench, anything else on the machine).
// A window's figures say where a mail's CPU goes; the groups' sum is close to the machine's busy time.
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;
const SERVICES = ['channel-config', 'mail-ingest', 'ticketing', 'ai-responder', 'mail-outbound', 'console'];

function groupOf(pid, command) {
  if (pid === process.pid) return 'bench';
  const service = SERVICES.find((name) => command.includes(`apps/${name}/`));
  if (service) return service;
  if (/postgres|postmaster/.test(command)) return 'postgresql';
  if (command.includes('nats-server')) return 'nats-server';
  if (/dovecot|imap|doveadm|anvil|auth/.test(command)) return 'dovecot';
  return 'other';
}

/** Every process's CPU so far, in seconds, with its group. */
function snapshot() {
  const processes = new Map();
  const parents = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name in parentheses may hold spaces; the fields after it are fixed.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const seconds = (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
      const mainThread = readFileSync(`/proc/${entry}/task/${entry}/stat`, 'utf8');
      const mainFields = mainThread.slice(mainThread.lastIndexOf(')') + 2).split(' ');
      const mainSeconds = (Number(mainFields[11]) + Number(mainFields[12])) / TICKS_PER_SECOND;
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
      const command = cmdline || stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      parents.set(Number(entry), Number(fields[1]));
      processes.set(Number(entry), { group: groupOf(Number(entry), command), seconds, mainSeconds });
    } catch {
      // It ended while being read.
    }
  }
  // On a shared machine another bench's services, NATS and Dovecot look the same: only this bench's own children
  // (and their children) count as theirs. PostgreSQL may be a shared server: its backends are counted whoever uses them.
  const ours = (pid) => {
    for (let at = pid, hops = 0; at > 1 && hops < 16; at = parents.get(at) ?? 0, hops++) if (at === process.pid) return true;
    return false;
  };
  for (const [pid, entry] of processes) {
    if (entry.group !== 'postgresql' && entry.group !== 'bench' && !ours(pid)) entry.group = 'other';
  }
  return processes;
}

/**
 * Starts a window; `end()` answers the CPU seconds each group spent in it, largest first, and of that the share of
 * the processes' main threads (a Node service's event loop, as against its workers, V8's and libuv's threads).
 */
export function processCpuWindow() {
  const before = snapshot();
  return {
    end() {
      const totals = new Map();
      for (const [pid, { group, seconds, mainSeconds }] of snapshot()) {
        const spent = seconds - (before.get(pid)?.seconds ?? 0);
        const onMain = mainSeconds - (before.get(pid)?.mainSeconds ?? 0);
        const total = totals.get(group) ?? { seconds: 0, mainSeconds: 0 };
        if (spent > 0) totals.set(group, { seconds: total.seconds + spent, mainSeconds: total.mainSeconds + onMain });
      }
      return [...totals.entries()].sort((a, b) => b[1].seconds - a[1].seconds);
    },
  };
}
