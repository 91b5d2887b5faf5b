// The parts of the HTTP/SSE contract (docs/api.md) that the page uses. Every request carries the identity's bearer
// token; a 401 gets the identity a fresh token once and the request is sent again.

import { SessionExpiredError, TokenRefusedError } from './identity.js';

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

/**
 * The event stream's URL: EventSource cannot send headers, so the token goes as `access_token`; `lastEventId` is a
 * full event id `{seq}-{epoch}` (a bare seq for a room without a log yet).
 */
export function eventsUrl(roomId, lastEventId, token) {
  const query = new URLSearchParams({ lastEventId: String(lastEventId), presence: 'true' });
  if (token) {
    query.set('access_token', token);
  }

  return `${roomPath(roomId)}/events?${query}`;
}

export const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Exponential backoff with jitter, so many pages that lost the same node do not return in lockstep. */
export function backoffMs(attempt, atLeastMs = 0) {
  const exponential = Math.min(maxBackoffMs, 500 * 2 ** Math.min(attempt, 5));
  return Math.max(atLeastMs, exponential / 2 + Math.random() * exponential / 2);
}

export const retryAfterMs = (response) => 1000 * (Number(response.headers.get('retry-after')) || 0);

/**
 * `fetch` as `identity`: `init(token)` makes the request for a token (null: none), and so does `url` when it is a
 * function. On a 401 the identity gets a
 * fresh token and the request goes once more; a second 401 is the server's last word. An identity that cannot get
 * one (a given token that expired, a name the server refuses) ends in a RefusedError.
 */
async function send(identity, url, init) {
  try {
    const at = (token) => (typeof url === 'function' ? url(token) : url);
    const token = await identity.token();
    const response = await fetch(at(token), authorized(init(token), token));
    if (response.status !== 401) {
      return response;
    }

    const fresh = await identity.refresh(token);
    return fresh === token ? response : await fetch(at(fresh), authorized(init(fresh), fresh));
  } catch (error) {
    throw asRefusal(error);
  }
}

/** An identity's failure to get a token as the refusal it is for the page (other errors pass unchanged). */
export function asRefusal(error) {
  return error instanceof SessionExpiredError || error instanceof TokenRefusedError ? new RefusedError(401, error.message) : error;
}

function authorized(init, token) {
  const headers = new Headers(init.headers);
  if (token) {
    headers.set('authorization', `Bearer ${token}`);
  }

  return { ...init, headers, signal: init.signal ?? AbortSignal.timeout(attemptTimeoutMs) };
}

/** `GET /rooms/{id}/messages`: the latest messages, or the ones just below `before`. */
export async function fetchHistory(roomId, identity, { before, limit = 50 } = {}) {
  const query = new URLSearchParams({ limit: String(limit) });
  if (before !== undefined) {
    query.set('before', String(before));
  }

  const response = await send(identity, `${roomPath(roomId)}/messages?${query}`, () => ({ cache: 'no-store' }));
  if (!response.ok) {
    throw isRefusal(response.status) ? await refusal(response, 'read') : new Error(`History is unavailable (${response.status}).`);
  }

  return response.json();
}

/**
 * `POST /rooms/{id}/messages` until the server has the message. Every attempt carries the same clientMessageId,
 * so an attempt whose answer was lost (network error, timeout, 5xx) is not stored twice: the retry gets the
 * original back. Only a refusal (RefusedError) ends the attempts. Resolves to `{ message, epoch }`: the stored
 * message and the epoch of the log that holds it (`Chat-Epoch`; '' from a server that does not say).
 */
export async function postMessage(roomId, message, identity, { onRetry } = {}) {
  for (let attempt = 0; ; attempt++) {
    let waitAtLeastMs = 0;
    try {
      // With a token the server takes the user from it: the body's userId would only have to match.
      const response = await send(identity, `${roomPath(roomId)}/messages`, (token) => ({
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(token ? { text: message.text, clientMessageId: message.clientMessageId } : message),
      }));
      if (response.ok) {
        return { message: await response.json(), epoch: response.headers.get('chat-epoch') ?? '' };
      }

      if (isRefusal(response.status)) {
        throw await refusal(response, 'post in');
      }

      waitAtLeastMs = retryAfterMs(response);
    } catch (error) {
      if (error instanceof RefusedError) {
        throw error;
      }
      // The network (TypeError) or our own timeout: the message may or may not be stored.
    }

    onRetry?.(attempt + 1);
    await delay(backoffMs(attempt, waitAtLeastMs));
  }
}

/**
 * `PATCH /rooms/{id}/messages/{seq}`, once: the message as it now stands. Without a token (a Development node that
 * hands out none) the body's userId says who edits.
 */
export async function editMessage(roomId, seq, text, identity) {
  const response = await send(identity, `${roomPath(roomId)}/messages/${seq}`, (token) => ({
    method: 'PATCH',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(token ? { text } : { userId: identity.userId, text }),
  }));
  return changed(response, 'edit this message in');
}

/** `DELETE /rooms/{id}/messages/{seq}`, once: the tombstone. Without a token `?userId=` says who deletes. */
export async function deleteMessage(roomId, seq, identity) {
  const url = (token) => `${roomPath(roomId)}/messages/${seq}${token ? '' : `?${new URLSearchParams({ userId: identity.userId })}`}`;
  const response = await send(identity, url, () => ({ method: 'DELETE' }));
  return changed(response, 'delete this message in');
}

async function changed(response, action) {
  if (!response.ok) {
    throw isRefusal(response.status) ? await refusal(response, action) : new Error(`The server answered ${response.status}; try again.`);
  }

  return response.json();
}

/**
 * `POST /rooms/{id}/typing`, once: a typing hint that did not arrive is not worth a retry. Without a token (a
 * Development node that hands out none) the userId query parameter says who is typing.
 */
export async function postTyping(roomId, userId, identity) {
  try {
    await send(identity, `${roomPath(roomId)}/typing?${new URLSearchParams({ userId })}`, () => ({ method: 'POST' }));
  } catch {
    // The next keystrokes send another.
  }
}

/**
 * Why the event stream of a room could not open, which EventSource does not tell: the same request with fetch.
 * Resolves to `{ status, retryAfterMs }`; a 200 (the cause has passed) is closed again at once. A 401 has already
 * got the identity a fresh token.
 */
export async function probeEvents(roomId, identity) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), attemptTimeoutMs);
  try {
    const response = await send(identity, `${roomPath(roomId)}/events`, () => ({
      cache: 'no-store',
      headers: { accept: 'text/event-stream' },
      signal: controller.signal,
    }));
    const problem = response.ok ? null : await refusal(response, 'read');
    return { status: response.status, retryAfterMs: retryAfterMs(response), problem };
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

/** The problem+json `detail` of a failed response, as an error to show the user; `action` is what was refused. */
async function refusal(response, action) {
  if (response.status === 403) {
    return new RefusedError(403, `You may not ${action} this room.`);
  }

  let detail = `The server answered ${response.status} ${response.statusText}.`;
  try {
    const problem = await response.json();
    detail = problem.detail || problem.title || detail;
  } catch {
    // Not problem+json (a proxy's error page, say): the status line is all there is.
  }

  return new RefusedError(response.status, detail);
}
