// Retention on the server is short here (5 messages), so a resume point far back gets a real `event: gap`.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { post, uniqueRoom } from './support/api.js';
import { useChat } from './support/fixture.js';

const timeout = 90_000;

describe('history gaps', () => {
  const chat = useChat({ 'Chat:History:MaxMessages': 5 });

  test('a stream resuming before the retained history shows how many messages are gone, and no duplicates', { timeout }, async () => {
    const room = uniqueRoom('gap');
    for (let seq = 1; seq <= 10; seq++) {
      await post(chat.baseUrl, room, 'bot', `message ${seq}`);
    }

    // As if the page had been away since the room began: its stream resumes at 0, below what is retained.
    const page = await chat.open({ room, user: 'late', routes: async (context) => {
      await context.route('**/rooms/*/events?*', (route) => {
        const url = new URL(route.request().url());
        url.searchParams.set('lastEventId', '0');
        return route.continue({ url: url.toString() });
      });
    } });
    await page.waitForNotice(/^5 messages are no longer available\.$/);

    assert.deepEqual((await page.messages()).map((message) => message.seq), [6, 7, 8, 9, 10],
      'the replayed messages the page had from history show once');
    await post(chat.baseUrl, room, 'bot', 'message 11');
    await page.waitForTexts('message 11');
    assert.deepEqual((await page.messages()).map((message) => message.seq), [6, 7, 8, 9, 10, 11]);
  });
});
