// Sending through a bad network: retries carry the same clientMessageId, so a message is stored and shown once;
// a refusal shows the server's reason. Failures are injected into the page's own requests with page.route.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { history, uniqueRoom } from './support/api.js';
import { useChat } from './support/fixture.js';

const timeout = 90_000;
const isPost = (request) => request.method() === 'POST' && new URL(request.url()).pathname.endsWith('/messages');

describe('sending', () => {
  const chat = useChat();

  test('a send whose reply was lost is retried with the same clientMessageId and shows once', { timeout }, async () => {
    const room = uniqueRoom('lost-reply');
    const sender = await chat.open({ room, user: 'ann' });
    const watcher = await chat.open({ room, user: 'bob' });
    const attempts = [];
    await sender.page.route('**/rooms/*/messages', async (route) => {
      if (!isPost(route.request())) {
        return route.continue();
      }

      attempts.push(route.request().postDataJSON());
      if (attempts.length === 1) {
        // The server stores the message, but its answer never reaches the page: a network error after the fact.
        await route.fetch();
        return route.abort('connectionreset');
      }

      return route.continue();
    });

    // The stream may show the message before the retry goes out; the retry must still come, and get the original.
    const duplicateAnswer = sender.page.waitForResponse((response) => isPost(response.request()) && response.status() === 200);
    await sender.send('sent once, answered twice');
    assert.equal((await (await duplicateAnswer).json()).seq, 1, 'the retry got the stored message back');
    await sender.waitForOutboxEmpty();
    await watcher.waitForTexts('sent once, answered twice');

    assert.equal(attempts.length, 2);
    assert.equal(new Set(attempts.map((attempt) => attempt.clientMessageId)).size, 1, 'every attempt had the same clientMessageId');
    assert.deepEqual((await history(chat.baseUrl, room)).messages.map((message) => message.text), ['sent once, answered twice'],
      'the server stored it once');
    for (const page of [sender, watcher]) {
      assert.deepEqual(await page.texts(), ['sent once, answered twice'], 'each page shows it once');
    }
  });

  test('while the server answers 503 the message shows as retrying, then arrives once', { timeout }, async () => {
    const room = uniqueRoom('unavailable');
    const sender = await chat.open({ room, user: 'ann' });
    let releaseSecondAttempt;
    const secondAttemptHeld = new Promise((resolve) => {
      releaseSecondAttempt = resolve;
    });
    let attempts = 0;
    await sender.page.route('**/rooms/*/messages', async (route) => {
      if (!isPost(route.request())) {
        return route.continue();
      }

      attempts++;
      if (attempts === 1) {
        return route.fulfill({
          status: 503,
          headers: { 'retry-after': '1' },
          contentType: 'application/problem+json',
          body: JSON.stringify({ title: 'Cluster unavailable', detail: 'Try again.' }),
        });
      }

      await secondAttemptHeld;
      return route.continue();
    });

    await sender.send('patience pays');
    await sender.page.waitForFunction(() => document.querySelector('#outbox li.pending .when')?.textContent.includes('retrying'));
    releaseSecondAttempt();
    await sender.waitForOutboxEmpty();

    assert.deepEqual(await sender.texts(), ['patience pays']);
    assert.equal((await history(chat.baseUrl, room)).messages.length, 1);
  });

  test('a message the server refuses shows its reason and gives the text back', { timeout }, async () => {
    const room = uniqueRoom('refused');
    const sender = await chat.open({ room, user: 'ann' });
    const tooLong = 'y'.repeat(4001);
    // The textarea's maxlength stops typing at 4000; set the value directly, as a paste-happy script could.
    await sender.page.locator('#text').evaluate((text, value) => {
      text.value = value;
    }, tooLong);
    await sender.page.press('#text', 'Enter');

    await sender.page.waitForSelector('#send-error:not([hidden])');
    assert.match(await sender.page.textContent('#send-error'), /'text' is required and must be 1–4000 characters/);
    assert.equal(await sender.page.inputValue('#text'), tooLong, 'the text is back in the message box');
    await sender.waitForOutboxEmpty();
    assert.equal((await history(chat.baseUrl, room)).messages.length, 0);
  });
});
