// Edits and deletions on the page: made by one page, shown in place on every page of the room; who is offered
// which action.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { devToken, post, uniqueRoom } from './support/api.js';
import { launchBrowser } from './support/browser.js';
import { ChatPage } from './support/chat-page.js';
import { useChat } from './support/fixture.js';

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
