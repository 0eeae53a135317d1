/** GET with a timeout; undefined when nothing answers. */
export async function httpGet(
  url: string,
  timeoutMs = 3_000,
): Promise<{ status: number; body: string } | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return { status: res.status, body: await res.text() };
  } catch {
    return undefined;
  }
}

/** GET a JSON document; undefined when nothing answers or the status is not 2xx. */
export async function httpJson<T>(url: string, timeoutMs = 3_000): Promise<T | undefined> {
  const r = await httpGet(url, timeoutMs);
  if (!r || r.status < 200 || r.status > 299) return undefined;
  return JSON.parse(r.body) as T;
}

/**
 * Waits until `url` answers 2xx. Fails at once, naming the log file, when `alive()` says the
 * process died, and after `timeoutMs` otherwise.
 */
export async function waitHttpOk(
  url: string,
  what: string,
  opts: {
    timeoutMs: number;
    alive: () => boolean;
    logFile: string;
    ready?: (body: string) => boolean;
  },
): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    if (!opts.alive()) throw new Error(`${what} exited before it was ready; see ${opts.logFile}`);
    const r = await httpGet(url);
    if (r && r.status >= 200 && r.status < 300 && (opts.ready?.(r.body) ?? true)) return;
    if (Date.now() > deadline) {
      throw new Error(
        `${what} was not ready after ${opts.timeoutMs} ms (${url}); see ${opts.logFile}`,
      );
    }
    await new Promise((res) => setTimeout(res, 500));
  }
}
