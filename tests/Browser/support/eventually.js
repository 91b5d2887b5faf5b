// Polling with a deadline, for conditions outside the browser (a process being ready, a room's history).

/** Resolves once `condition()` returns something truthy; fails with `what` at the deadline. */
export async function eventually(condition, { timeoutMs = 20_000, intervalMs = 100, what = 'a condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) {
      return value;
    }

    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
    }

    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
