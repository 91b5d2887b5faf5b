// The HTTP API from outside the browser: another client posting into a room, and the room's stored history.

import { eventually } from './eventually.js';

/** Posts as another client would; a 429 is waited out, so tests can keep the default rate limit. */
export async function post(baseUrl, room, userId, text) {
  return eventually(async () => {
    const response = await fetch(`${baseUrl}/rooms/${room}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId, text }),
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
  const response = await fetch(`${baseUrl}/rooms/${room}/messages${query}`);
  if (!response.ok) {
    throw new Error(`GET history of ${room} failed: ${response.status}`);
  }

  return response.json();
}

/** A room name no other test uses, so tests sharing a server do not see each other's messages. */
export function uniqueRoom(name) {
  return `${name}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;
}
