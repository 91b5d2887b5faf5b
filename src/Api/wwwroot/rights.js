// What a token lets its user do in a room, read from its claims as the server reads them (docs/api.md, "Identity
// and access"). Only for what the page offers (a delete button on others' messages); the server decides.

/** The payload of a JWT; its signature is not (and cannot be) checked here. */
export function tokenClaims(token) {
  const payload = token.split('.')[1];
  const base64 = payload.replace(/-/g, '+').replace(/_/g, '/');
  const bytes = Uint8Array.from(atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, '=')), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

const rightClaims = ['chat_read', 'chat_write', 'chat_moderate'];
const patterns = (value) => (Array.isArray(value) ? value : typeof value === 'string' ? [value] : []);

/** A room pattern: a room id, a prefix ending in '*', or '*'. */
function matches(pattern, roomId) {
  return pattern.endsWith('*') ? roomId.startsWith(pattern.slice(0, -1)) : pattern === roomId;
}

/**
 * Whether a token with `claims` may delete other users' messages in `roomId`. A token with none of the chat_*
 * claims reads and writes every room but moderates none; no token (a Development node without tokens) never does.
 */
export function mayModerate(claims, roomId) {
  if (!claims || !rightClaims.some((claim) => claim in claims)) {
    return false;
  }

  return patterns(claims.chat_moderate).some((pattern) => matches(pattern, roomId));
}
