// Edits and deletions on the page: made by one page, shown in place on every page of the room; who is offered
// which action; and a page that outlives its server's log (an embedded restart) shows the new log only.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { devToken, post, uniqueRoom } from './support/api.js';
import { launchBrowser } from './support/browser.js';
import { ChatPage } from './support/chat-page.js';
import { useChat } from './support/fixture.js';
import { EmbeddedServer } from './support/server.js';

const timeout = 90_000;

const seqsAndTexts = async (page) => (await page.messages()).map(({ seq, text }) => [seq, text]);

describe('edits and deletions', () => {
  const chat = useChat({ 'Chat:RateLimit:PostsPerSecond': 0 });

  test('an author edits and deletes, and both pages show the change in place', { timeout }, async () => {
    const room = uniqueRoom('change');
    const ann = await chat.open({ room, user: 'ann' });
    const bob = await chat.open({ room, user: 'bob' });
    await ann.send('helo Bob');
    await ann.waitForOutboxEmpty();
    await bob.send('hi Ann');
    await bob.waitForOutboxEmpty();
    await ann.send('a message to take back');
    await ann.waitForOutboxEmpty();
    await bob.waitForMessageCount(3);

    assert.deepEqual(await ann.actionsOf(1), ['edit', 'delete'], 'the author may edit and delete');
    assert.deepEqual(await bob.actionsOf(1), [], 'no one else may, without chat_moderate');

    await ann.edit(1, 'hello Bob');
    await ann.waitForMessageText(1, 'hello Bob');
    await bob.waitForMessageText(1, 'hello Bob');
    for (const page of [ann, bob]) {
      assert.deepEqual(await page.message(1), { text: 'hello Bob', edited: true, deleted: false });
    }

    await ann.delete(3);
    await ann.waitForMessageText(3, 'message deleted');
    await bob.waitForMessageText(3, 'message deleted');
    for (const page of [ann, bob]) {
      assert.deepEqual(await page.message(3), { text: 'message deleted', edited: false, deleted: true });
      assert.deepEqual(await seqsAndTexts(page), [[1, 'hello Bob'], [2, 'hi Ann'], [3, 'message deleted']],
        'each change replaced its message where it was; the change events add no messages');
      assert.deepEqual(await page.actionsOf(3), [], 'a tombstone offers nothing');
    }

    // A page opened now gets the messages as they now stand from history.
    const carol = await chat.open({ room, user: 'carol' });
    await carol.waitForMessageCount(3);
    assert.deepEqual(await seqsAndTexts(carol), [[1, 'hello Bob'], [2, 'hi Ann'], [3, 'message deleted']]);
    assert.deepEqual(await carol.message(1), { text: 'hello Bob', edited: true, deleted: false });
  });

  test('a moderator deletes another user\'s message, and the author sees it go', { timeout }, async () => {
    const room = uniqueRoom('moderate');
    const bob = await chat.open({ room, user: 'bob' });
    await bob.send('something abusive');
    await bob.waitForOutboxEmpty();

    const token = await devToken(chat.baseUrl, { userId: 'mod', name: 'Mod', read: [room], write: [room], moderate: [room] });
    const mod = await chat.open({ room, token });
    await mod.waitForTexts('something abusive');
    assert.deepEqual(await mod.actionsOf(1), ['delete'], 'a moderator may delete, not edit, another user\'s message');

    await mod.delete(1);
    await bob.waitForMessageText(1, 'message deleted');
    await mod.waitForMessageText(1, 'message deleted');
    assert.deepEqual(await bob.message(1), { text: 'message deleted', edited: false, deleted: true });
  });
});

describe('a page across an embedded restart', () => {
  let server;
  let browser;

  before(async () => {
    server = await EmbeddedServer.start();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('the page reloads the new log\'s history and shows no message of the lost one', { timeout }, async () => {
    const room = uniqueRoom('restart');
    const page = await ChatPage.open(browser, server.baseUrl, { room, user: 'ann' });
    try {
      for (const text of ['old one', 'old two']) {
        await page.send(text);
      }
      await page.waitForOutboxEmpty();
      await page.waitForMessageCount(2);

      await server.stop();
      await page.waitForConnection('reconnecting');
      await server.restart();
      // More messages than the page had, so the new log's lastSeq is past the page's resume point: only the epoch
      // in the page's event id tells the server that the page's messages are not the room's.
      for (const text of ['new one', 'new two', 'new three']) {
        await post(server.baseUrl, room, 'bob', text);
      }

      // The page's reconnect backoff reaches 10 s while the server is away, and a restart on a loaded machine is slow.
      await page.waitForNotice(/^The server lost this room’s history/, { timeoutMs: 60_000 });
      await page.waitForTexts('new one', 'new two', 'new three');
      await page.waitForConnection('live');
      await page.waitForMessageCount(3);
      assert.deepEqual(await seqsAndTexts(page), [[1, 'new one'], [2, 'new two'], [3, 'new three']]);

      await post(server.baseUrl, room, 'bob', 'new four');
      await page.waitForMessageCount(4);
      assert.deepEqual((await page.texts()).at(-1), 'new four', 'the page follows the new log live');
      page.assertNoPageErrors();
    } finally {
      await page.close();
    }
  });
});
