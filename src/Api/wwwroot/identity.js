// Who the page speaks as, and the bearer token that says so (docs/api.md, "Identity and access").
// A token lives only in memory (and, for one handed in with #token=, in this tab's sessionStorage so a reload keeps
// it): never in the address bar, never in a log line.

import { mayModerate, tokenClaims } from './rights.js';

const maxTtlSeconds = 86_400;
const storageKey = 'orleanschat.token';

/** The server hands out no new token for this identity: the user has to sign in again. */
export class SessionExpiredError extends Error {
  constructor() {
    super('Your session has expired: open the page again with a new token.');
  }
}

/** A refusal of the token request itself (e.g. a name the server does not accept); retrying cannot help. */
export class TokenRefusedError extends Error {}

/**
 * A user who signs in with a name: tokens come from `POST /auth/dev-token`, a fresh one whenever the last has
 * expired. On a server that serves no dev tokens (404) requests go without one, as the body's userId (only a
 * `Development` node accepts that; any other answers 401, which the page then shows).
 */
export class DevIdentity {
  #ttlSeconds;
  /** undefined until the first token request has answered; null when the server hands out none. */
  #token = undefined;
  #claims = null;
  #fetching = null;

  constructor(name, ttlSeconds) {
    this.userId = name;
    this.name = name;
    this.canRefresh = true;
    this.#ttlSeconds = ttlSeconds;
  }

  /** Whether the current token lets this user delete others' messages in `roomId` (none yet: no). */
  moderates(roomId) {
    return mayModerate(this.#claims, roomId);
  }

  /** The token to send, getting the first one if there is none yet; null when the server hands out none. */
  async token() {
    return this.#token !== undefined ? this.#token : this.refresh(undefined);
  }

  /** A new token in place of `stale` (several requests that got a 401 with the same token share one request). */
  async refresh(stale) {
    if (this.#token !== stale) {
      return this.#token;
    }

    this.#fetching ??= this.#fetchToken().then((token) => {
      this.#token = token;
      this.#claims = token ? tokenClaims(token) : null;
      return token;
    }).finally(() => {
      this.#fetching = null;
    });
    return this.#fetching;
  }

  async #fetchToken() {
    const body = { userId: this.userId, name: this.name };
    if (this.#ttlSeconds !== undefined) {
      body.ttlSeconds = this.#ttlSeconds;
    }

    const response = await fetch('/auth/dev-token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      cache: 'no-store',
      signal: AbortSignal.timeout(15_000),
    });
    if (response.status === 404) {
      return null;
    }

    if (response.status >= 400 && response.status < 500) {
      const problem = await response.json().catch(() => ({}));
      throw new TokenRefusedError(problem.detail || `The server refused a token for this name (${response.status}).`);
    }

    if (!response.ok) {
      throw new Error(`No token: the server answered ${response.status}.`);
    }

    return (await response.json()).token;
  }
}

/**
 * A user whose token an identity provider issued (handed in with `#token=`). The page cannot renew it: when it
 * expires, the session is over. Its claims are read only to show who is signed in and what to offer; the server decides.
 */
export class GivenIdentity {
  #token;
  #claims;

  constructor(token) {
    this.#claims = tokenClaims(token);
    const shown = displayClaims(this.#claims);
    this.userId = shown.sub;
    this.name = shown.name || shown.sub;
    this.canRefresh = false;
    this.#token = token;
  }

  moderates(roomId) {
    return mayModerate(this.#claims, roomId);
  }

  async token() {
    return this.#token;
  }

  async refresh() {
    // A reload should not come back to a session that is over.
    sessionStorage.removeItem(storageKey);
    throw new SessionExpiredError();
  }
}

/**
 * The token handed in as `#token=…` (taken out of the address bar at once), or the one this tab was given before
 * a reload; null when there is none or it cannot be read.
 */
export function givenIdentity() {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const fromFragment = fragment.get('token');
  if (fromFragment !== null) {
    fragment.delete('token');
    const rest = fragment.toString();
    history.replaceState(history.state, '', `${location.pathname}${location.search}${rest ? `#${rest}` : ''}`);
  }

  const token = fromFragment ?? sessionStorage.getItem(storageKey);
  if (!token) {
    return null;
  }

  try {
    const identity = new GivenIdentity(token);
    sessionStorage.setItem(storageKey, token);
    return identity;
  } catch {
    sessionStorage.removeItem(storageKey);
    return null;
  }
}

/** `?ttl=SECONDS`: how long dev tokens last (tests use a few seconds to see them expire); undefined = the server's default. */
export function devTokenTtl() {
  const ttl = new URLSearchParams(location.search).get('ttl');
  const seconds = ttl !== null && /^\d+$/.test(ttl) ? Number(ttl) : NaN;
  return seconds >= 1 && seconds <= maxTtlSeconds ? seconds : undefined;
}

/** The claims the page shows: who the token names. */
function displayClaims(claims) {
  if (typeof claims.sub !== 'string' || claims.sub === '') {
    throw new Error('The token has no subject.');
  }

  return { sub: claims.sub, name: typeof claims.name === 'string' ? claims.name : '' };
}
