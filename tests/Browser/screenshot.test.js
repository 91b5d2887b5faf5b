// A live conversation between two pages, photographed for the README (docs/screenshot.png).

import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { useChat } from './support/fixture.js';

const timeout = 90_000;
const screenshotPath = resolve(dirname(fileURLToPath(import.meta.url)), '../../docs/screenshot.png');

const conversation = [
  ['bob', 'Morning! Is the new chat page live yet?'],
  ['ann', 'Yes 🎉 Open /?room=lobby in two tabs and watch messages arrive on both.'],
  ['bob', 'Just tried it: I killed the API node under my tab and it reconnected by itself. Nothing missed, nothing twice 👌'],
  ['ann', 'That is Last-Event-ID doing its job.'],
  ['bob', 'Lunch at 12:30? 🍜'],
  ['ann', 'Sure, see you there 👍'],
];

describe('screenshot', () => {
  const chat = useChat();

  test('two pages chat live, and the conversation is written to docs/screenshot.png', { timeout }, async () => {
    const pages = { ann: await chat.open({ room: 'lobby', user: 'ann' }), bob: await chat.open({ room: 'lobby', user: 'bob' }) };
    for (const [user, text] of conversation) {
      await pages[user].send(text);
      await Promise.all(Object.values(pages).map((page) => page.waitForTexts(text)));
    }

    const expected = conversation.map(([user, text]) => ({ user, text }));
    for (const page of Object.values(pages)) {
      await page.waitForOutboxEmpty();
      assert.deepEqual((await page.messages()).map(({ user, text }) => ({ user, text })), expected);
    }

    await mkdir(dirname(screenshotPath), { recursive: true });
    await pages.ann.page.locator('#text').fill('');
    await pages.ann.page.locator('#text').blur();
    await pages.ann.page.screenshot({ path: screenshotPath });
  });
});
