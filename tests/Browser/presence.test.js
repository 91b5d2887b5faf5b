// Who is in the room, on the page: the member list and its count, "… is typing…", join and leave notices; and a
// reload within the grace that the others never see.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { uniqueRoom } from './support/api.js';
import { useChat } from './support/fixture.js';

const timeout = 90_000;
const graceSeconds = 4;

/** The member list as the page shows it: its count and the userIds listed, sorted. */
async function members(chat) {
  return chat.page.evaluate(() => ({
    count: Number(document.getElementById('member-count').textContent),
    users: [...document.querySelectorAll('#member-list li')].map((item) => item.dataset.userId).sort(),
  }));
}

async function waitForMembers(chat, ...users) {
  await chat.page.waitForFunction((wanted) => {
    const listed = [...document.querySelectorAll('#member-list li')].map((item) => item.dataset.userId).sort();
    return Number(document.getElementById('member-count').textContent) === wanted.length
      && JSON.stringify(listed) === JSON.stringify([...wanted].sort());
  }, users);
}

async function notices(chat) {
  return chat.page.$$eval('#messages li.notice', (items) => items.map((item) => item.textContent));
}

describe('presence on the page', () => {
  const chat = useChat({ 'Chat:Presence:GraceSeconds': graceSeconds });

  test('two pages see each other join, type and leave', { timeout }, async () => {
    const room = uniqueRoom('presence');
    const ann = await chat.open({ room, user: 'ann' });
    await waitForMembers(ann, 'ann');
    const bob = await chat.open({ room, user: 'bob' });

    await waitForMembers(ann, 'ann', 'bob');
    await waitForMembers(bob, 'ann', 'bob');
    await ann.waitForNotice(/^bob joined$/);
    assert.deepEqual(await notices(bob), [], 'a page does not announce its own user, nor those already there');

    await bob.page.type('#text', 'hello');
    await ann.page.waitForFunction(() => document.getElementById('typing').textContent === 'bob is typing…');
    assert.equal(await bob.page.textContent('#typing'), '', 'a page does not show its own user typing');
    await bob.page.press('#text', 'Enter');
    await ann.waitForTexts('hello');
    await ann.page.waitForFunction(() => document.getElementById('typing').textContent === '', null, { timeout: 10_000 });

    await bob.close();
    await ann.waitForNotice(/^bob left$/);
    await waitForMembers(ann, 'ann');
  });

  test('a page reloaded within the grace makes no leave and no join on the others', { timeout }, async () => {
    const room = uniqueRoom('reload');
    const ann = await chat.open({ room, user: 'ann' });
    const carl = await chat.open({ room, user: 'carl' });
    await waitForMembers(ann, 'ann', 'carl');
    await ann.waitForNotice(/^carl joined$/);

    await carl.page.reload();
    await carl.waitForConnection('live');
    await waitForMembers(carl, 'ann', 'carl');
    // A leave would come a grace after the reload: wait that out, then let a newcomer's join prove the stream is live.
    await new Promise((resolve) => setTimeout(resolve, (graceSeconds + 1) * 1000));
    const dave = await chat.open({ room, user: 'dave' });
    await ann.waitForNotice(/^dave joined$/);
    await waitForMembers(dave, 'ann', 'carl', 'dave');

    assert.deepEqual(await notices(ann), ['carl joined', 'dave joined']);
    assert.deepEqual(await members(ann), { count: 3, users: ['ann', 'carl', 'dave'] });
  });
});
