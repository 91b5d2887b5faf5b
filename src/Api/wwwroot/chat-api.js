// The parts of the HTTP/SSE contract (docs/api.md) that the page uses.

const attemptTimeoutMs = 15_000;
const maxBackoffMs = 10_000;

/** A request the server refused for good (a 4xx other than 408/429): retrying it cannot help. */
export class RefusedError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

const isRefusal = (status) => status >= 400 && status < 500 && status !== 408 && status !== 429;

const roomPath = (roomId) => `/rooms/${encodeURIComponent(roomId)}`;

export const eventsUrl = (roomId, lastEventId) => `${roomPath(roomId)}/events?lastEventId=${lastEventId}`;

export const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Exponential backoff with jitter, so many pages that lost the same node do not return in lockstep. */
export function backoffMs(attempt, atLeastMs = 0) {
  const exponential = Math.min(maxBackoffMs, 500 * 2 ** Math.min(attempt, 5));
  return Math.max(atLeastMs, exponential / 2 + Math.random() * exponential / 2);
}

/** `GET /rooms/{id}/messages`: the latest messages, or the ones just below `before`. */
export async function fetchHistory(roomId, { before, limit = 50 } = {}) {
  const query = new URLSearchParams({ limit: String(limit) });
  if (before !== undefined) {
    query.set('before', String(before));
  }

  const response = await fetch(`${roomPath(roomId)}/messages?${query}`, {
    cache: 'no-store',
    signal: AbortSignal.timeout(attemptTimeoutMs),
  });
  if (!response.ok) {
    throw isRefusal(response.status) ? await refusal(response) : new Error(`History is unavailable (${response.status}).`);
  }

  return response.json();
}

/**
 * `POST /rooms/{id}/messages` until the server has the message. Every attempt carries the same clientMessageId,
 * so an attempt whose answer was lost (network error, timeout, 5xx) is not stored twice: the retry gets the
 * original back. Only a refusal (RefusedError) ends the attempts.
 */
export async function postMessage(roomId, message, { onRetry } = {}) {
  for (let attempt = 0; ; attempt++) {
    let retryAfterMs = 0;
    try {
      const response = await fetch(`${roomPath(roomId)}/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(message),
        signal: AbortSignal.timeout(attemptTimeoutMs),
      });
      if (response.ok) {
        return await response.json();
      }

      if (isRefusal(response.status)) {
        throw await refusal(response);
      }

      retryAfterMs = 1000 * (Number(response.headers.get('retry-after')) || 0);
    } catch (error) {
      if (error instanceof RefusedError) {
        throw error;
      }
      // The network (TypeError) or our own timeout: the message may or may not be stored.
    }

    onRetry?.(attempt + 1);
    await delay(backoffMs(attempt, retryAfterMs));
  }
}

/** The problem+json `detail` of a failed response, as an error to show the user. */
async function refusal(response) {
  let detail = `The server answered ${response.status} ${response.statusText}.`;
  try {
    const problem = await response.json();
    detail = problem.detail || problem.title || detail;
  } catch {
    // Not problem+json (a proxy's error page, say): the status line is all there is.
  }

  return new RefusedError(response.status, detail);
}
