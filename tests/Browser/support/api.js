// The HTTP API from outside the browser: another client posting into a room, and the room's stored history.
// Each request carries a dev token of its own (the servers under test serve POST /auth/dev-token in every mode), so
// the helpers work in Development and in Jwt mode, and across a server restart that changed the signing key.

import { eventually } from './eventually.js';

/** A token from the server's POST /auth/dev-token; `request` is its body ({ userId, name, ttlSeconds, read, write }). */
export async function devToken(baseUrl, request) {
  const response = await fetch(`${baseUrl}/auth/dev-token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(request),
  });
  if (!response.ok) {
    throw new Error(`POST /auth/dev-token failed: ${response.status} ${await response.text()}`);
  }

  return (await response.json()).token;
}

/** Posts as another client would; a 429 is waited out, so tests can keep the default rate limit. */
export async function post(baseUrl, room, userId, text) {
  const token = await devToken(baseUrl, { userId });
  return eventually(async () => {
    const response = await fetch(`${baseUrl}/rooms/${room}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ text }),
    });
    if (response.status === 429) {
      return null;
    }

    if (!response.ok) {
      throw new Error(`POST ${room} failed: ${response.status} ${await response.text()}`);
    }

    return response.json();
  }, { what: `the rate limit to let a post into ${room} through`, intervalMs: 250 });
}

export async function history(baseUrl, room, query = '') {
  const token = await devToken(baseUrl, { userId: 'history-reader' });
  const response = await fetch(`${baseUrl}/rooms/${room}/messages${query}`, { headers: { authorization: `Bearer ${token}` } });
  if (!response.ok) {
    throw new Error(`GET history of ${room} failed: ${response.status}`);
  }

  return response.json();
}

/** A room name no other test uses, so tests sharing a server do not see each other's messages. */
export function uniqueRoom(name) {
  return `${name}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;
}
