/** Polls `probe` every `intervalMs` until it returns a truthy value, returns it; rejects with `message` after timeoutMs. */
export async function eventually<T>(
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  options: { timeoutMs?: number; intervalMs?: number; message?: string } = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const intervalMs = options.intervalMs ?? 50;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
      lastError = undefined;
    } catch (error) {
      // A probe that throws (e.g. server not up yet) counts as "not yet", but we
      // keep the error so the timeout message explains what kept failing.
      lastError = error;
    }
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, Math.max(0, deadline - Date.now()))));
  }
  const message = options.message ?? `Condition not met within ${timeoutMs} ms`;
  const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
  throw new Error(message + cause, { cause: lastError });
}
