// The page signed in: dev tokens that expire while two people talk, a token of "the operator's issuer" handed in
// with #token= (minted here by the dev-token endpoint with narrow rights), and the per-user cap on open streams.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { devToken, history, post, uniqueRoom } from './support/api.js';
import { eventually } from './support/eventually.js';
import { useChat } from './support/fixture.js';

const timeout = 120_000;
const ttlSeconds = 3;
const expiries = 4;

/** Records what a page's browser context asks the server: the dev tokens it got and the event streams it opened. */
function traffic() {
  const seen = { tokens: [], streams: [] };
  seen.routes = async (context) => {
    context.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname.endsWith('/events') && url.searchParams.has('access_token')) {
        seen.streams.push(url);
      }
    });
    context.on('response', async (response) => {
      if (new URL(response.url()).pathname === '/auth/dev-token' && response.ok()) {
        seen.tokens.push((await response.json()).token);
      }
    });
  };
  return seen;
}

/**
 * The page writes no token where a person or a log collector would see it. (Chromium's DevTools do show an event
 * stream's URL, access_token included, beside a "Failed to load resource" line and in the network panel: an
 * EventSource can carry its token nowhere else. The lines' text, checked here, holds no URL.)
 */
function assertTokensKeptSecret(chat, tokens) {
  const url = chat.page.url();
  const console = chat.page.consoleLines.join('\n');
  for (const token of tokens) {
    assert.ok(!url.includes(token), 'no token in the address bar');
    assert.ok(!console.includes(token), `no token in the console:\n${console}`);
  }
}

describe('identity', () => {
  const chat = useChat();

  test(`two pages keep talking across ${expiries} token expiries, each showing every message once`, { timeout }, async () => {
    const room = uniqueRoom('expiry');
    const [annSeen, bobSeen] = [traffic(), traffic()];
    const ann = await chat.open({ room, user: 'ann', ttl: ttlSeconds, routes: annSeen.routes });
    const bob = await chat.open({ room, user: 'bob', ttl: ttlSeconds, routes: bobSeen.routes });

    // A third party posts all along, so messages also arrive while a page is between two streams.
    let posting = true;
    const bot = (async () => {
      for (let i = 1; posting; i++) {
        await post(chat.baseUrl, room, 'bot', `bot ${i}`);
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
    })();
    try {
      for (let round = 1; round <= expiries; round++) {
        await eventually(() => annSeen.tokens.length > round && bobSeen.tokens.length > round,
          { what: `both pages to renew their token a ${round}. time`, timeoutMs: 30_000 });
        await ann.send(`ann ${round}`);
        await bob.send(`bob ${round}`);
      }
    } finally {
      posting = false;
      await bot;
    }

    const texts = Array.from({ length: expiries }, (_, i) => [`ann ${i + 1}`, `bob ${i + 1}`]).flat();
    const page500 = await history(chat.baseUrl, room, '?limit=500');
    const stored = page500.messages.map(({ seq, userId, text }) => ({ seq, user: userId, text }));
    for (const [page, seen] of [[ann, annSeen], [bob, bobSeen]]) {
      await page.waitForTexts(...texts, stored.at(-1).text);
      await page.waitForOutboxEmpty();
      assert.deepEqual(await page.messages(), stored, 'the page shows exactly the room\'s messages, in order, each once');
      assert.ok(seen.streams.length > expiries, `a stream per token (${seen.streams.length})`);
      const resumeIds = seen.streams.map((url) => url.searchParams.get('lastEventId'));
      // A stream opened before the page saw any of the room's events resumes from a bare 0; every later one from
      // a full id, so a new epoch would be noticed.
      assert.ok(resumeIds.every((id) => id === '0' || id.endsWith(`-${page500.epoch}`)),
        `each stream resumes from a full event id of the room's epoch (${resumeIds})`);
      const resumedAfter = resumeIds.map((id) => Number(id.split('-')[0]));
      assert.ok(resumedAfter.every((seq, i) => i === 0 || seq >= resumedAfter[i - 1]) && resumedAfter.at(-1) > 0,
        `each renewed stream resumes after the last message the page had (${resumedAfter})`);
      assertTokensKeptSecret(page, seen.tokens);
    }
  });

  test('a token handed in with #token= names the user, leaves the address bar, and a room it may not post in says so', { timeout }, async () => {
    const room = uniqueRoom('readonly');
    await post(chat.baseUrl, room, 'carol', 'you can read this');
    const token = await devToken(chat.baseUrl, { userId: 'zoe', name: 'Zoë Operator', read: ['*'], write: ['other'] });

    const page = await chat.open({ room, token });
    await page.waitForTexts('you can read this');
    assert.equal(await page.page.textContent('#user-name'), 'Zoë Operator');
    assert.ok(!page.page.url().includes('#'), 'the token left the address bar');
    await page.send('may I?');

    await page.page.waitForSelector('#send-error:not([hidden])');
    assert.match(await page.page.textContent('#send-error'), /You may not post in this room/);
    assert.equal(await page.page.inputValue('#text'), 'may I?', 'the text is back in the message box');
    assert.deepEqual((await history(chat.baseUrl, room)).messages.map((message) => message.text), ['you can read this']);
    assertTokensKeptSecret(page, [token]);
  });

  test('a #token= that may not read the room says so instead of showing it', { timeout }, async () => {
    const room = uniqueRoom('secret');
    await post(chat.baseUrl, room, 'carol', 'not for zoe');
    const token = await devToken(chat.baseUrl, { userId: 'zoe', read: ['other'] });

    const page = await chat.open({ room, token, live: false });
    await page.waitForNotice(/^You may not read this room\.$/);
    await page.waitForConnection('refused');
    assert.deepEqual(await page.messages(), []);
  });

  test('when a #token= expires the page says the session is over (it cannot get another)', { timeout }, async () => {
    const room = uniqueRoom('session');
    const token = await devToken(chat.baseUrl, { userId: 'zoe', name: 'Zoë', ttlSeconds });

    const page = await chat.open({ room, token });
    await page.waitForConnection('signed-out');
    await page.waitForNotice(/session has expired/);
    assertTokensKeptSecret(page, [token]);
  });
});

describe('stream cap', () => {
  const chat = useChat({ 'Chat:Auth:MaxStreamsPerUser': 1 });

  test('a tab over the per-user stream cap says so, and comes live once another tab closes', { timeout }, async () => {
    const room = uniqueRoom('cap');
    const first = await chat.open({ room, user: 'ann' });
    const secondSeen = traffic();
    const second = await chat.open({ room, user: 'ann', live: false, routes: secondSeen.routes });

    await second.waitForConnection('limited');
    assert.match(await second.connectionText(), /^Too many open tabs or streams; retrying in 5 s$/);
    await first.close();
    await second.waitForConnection('live');
    await post(chat.baseUrl, room, 'bob', 'made it');
    await second.waitForTexts('made it');
    assertTokensKeptSecret(second, secondSeen.tokens);
  });
});
