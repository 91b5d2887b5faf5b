// The chat page against a real server: conversations, history, rendering, scroll-back, joining and switching.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { history, post, uniqueRoom } from './support/api.js';
import { useChat } from './support/fixture.js';

const timeout = 90_000;

describe('chat page', () => {
  const chat = useChat();

  test('two pages in one room exchange messages both ways, each once and in the same order', { timeout }, async () => {
    const room = uniqueRoom('pair');
    const ann = await chat.open({ room, user: 'ann' });
    const bob = await chat.open({ room, user: 'bob' });

    await ann.send('Hi Bob, are you there?');
    await bob.waitForTexts('Hi Bob, are you there?');
    await bob.send('Hi Ann! Loud and clear.');
    await ann.waitForTexts('Hi Bob, are you there?', 'Hi Ann! Loud and clear.');
    await ann.send('Great, see you at standup.');
    await bob.waitForTexts('Great, see you at standup.');
    await ann.waitForOutboxEmpty();

    const expected = [
      { seq: 1, user: 'ann', text: 'Hi Bob, are you there?' },
      { seq: 2, user: 'bob', text: 'Hi Ann! Loud and clear.' },
      { seq: 3, user: 'ann', text: 'Great, see you at standup.' },
    ];
    await ann.waitForMessageCount(3);
    await bob.waitForMessageCount(3);
    assert.deepEqual(await ann.messages(), expected);
    assert.deepEqual(await bob.messages(), expected);
    assert.deepEqual(await ann.page.$$eval('#messages li.own .text', (texts) => texts.map((text) => text.textContent)),
      ['Hi Bob, are you there?', 'Great, see you at standup.'], 'a page marks its own user\'s messages');
  });

  test('a page opened after messages were posted shows them, then live ones after them', { timeout }, async () => {
    const room = uniqueRoom('history');
    for (const text of ['first', 'second', 'third']) {
      await post(chat.baseUrl, room, 'carol', text);
    }

    const dave = await chat.open({ room, user: 'dave' });
    await dave.waitForTexts('first', 'second', 'third');
    await post(chat.baseUrl, room, 'carol', 'fourth, after the page opened');
    await dave.waitForMessageCount(4);

    assert.deepEqual((await dave.messages()).map(({ seq, text }) => [seq, text]),
      [[1, 'first'], [2, 'second'], [3, 'third'], [4, 'fourth, after the page opened']]);
  });

  test('message text and user names render literally: no HTML injection', { timeout }, async () => {
    const room = uniqueRoom('xss');
    const payloads = [
      '<img src=x onerror="window.injected = 1">',
      '<script>window.injected = 2</script>',
      '"><svg onload="window.injected = 3">',
    ];
    await post(chat.baseUrl, room, '<b onmouseover="window.injected = 4">mallory</b>', payloads[0]);
    const page = await chat.open({ room, user: '<i>eve</i>' });
    await page.send(payloads[1]);
    await page.waitForTexts(payloads[1]);
    await post(chat.baseUrl, room, 'mallory', payloads[2]);
    await page.waitForTexts(...payloads);

    assert.deepEqual(await page.texts(), payloads, 'each payload shows as the text that was sent');
    assert.deepEqual((await page.messages()).map((message) => message.user),
      ['<b onmouseover="window.injected = 4">mallory</b>', '<i>eve</i>', 'mallory']);
    assert.equal(await page.page.locator('#messages img, #messages script, #messages svg, #messages b, #messages i').count(), 0,
      'no element was made from user data');
    assert.equal(await page.page.evaluate(() => window.injected), undefined, 'no injected script ran');
  });

  test('long texts and emoji render whole; a narrow screen never scrolls sideways', { timeout }, async () => {
    const room = uniqueRoom('narrow');
    const emoji = 'Family 👩‍👩‍👧‍👦, flag 🇳🇴, thumbs 👍🏽, keycap 1️⃣ and a plain 😀';
    const unbroken = 'x'.repeat(4000);
    const lines = 'line one\nline two\n\nline four';
    await post(chat.baseUrl, room, 'carol', unbroken);
    const page = await chat.open({ room, user: 'phone', viewport: { width: 360, height: 640 } });
    await page.send(emoji);
    await page.send(lines);
    await page.waitForTexts(unbroken, emoji, lines);

    assert.deepEqual(await page.texts(), [unbroken, emoji, lines], 'texts keep every character and line break');
    const overflow = await page.page.evaluate(() => {
      const widest = Math.max(...[...document.querySelectorAll('.bubble, .composer, .topbar')]
        .map((element) => element.getBoundingClientRect().right));
      return { scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth, widest };
    });
    assert.ok(overflow.scrollWidth <= overflow.innerWidth, `page is ${overflow.scrollWidth}px wide in a ${overflow.innerWidth}px window`);
    assert.ok(overflow.widest <= overflow.innerWidth, `an element reaches ${overflow.widest}px in a ${overflow.innerWidth}px window`);
  });

  test('scrolling back loads older messages with before=, in order, each once', { timeout }, async () => {
    const room = uniqueRoom('scrollback');
    for (let seq = 1; seq <= 60; seq++) {
      await post(chat.baseUrl, room, 'bot', `message ${seq}`);
    }

    const page = await chat.open({ room, user: 'reader' });
    await page.waitForMessageCount(50);
    assert.equal((await page.messages())[0].seq, 11, 'the page starts with the latest 50');

    const older = page.page.waitForRequest((request) => request.url().includes(`/rooms/${room}/messages?`) && request.url().includes('before=11'));
    await page.page.locator('#scroller').evaluate((scroller) => {
      scroller.scrollTop = 0;
    });
    await older;
    await page.waitForMessageCount(60);
    await page.page.waitForSelector('#load-older', { state: 'hidden' });

    assert.deepEqual((await page.messages()).map((message) => message.seq), Array.from({ length: 60 }, (_, i) => i + 1));
  });

  test('the page asks for what the URL leaves out, and switching rooms shows the other room', { timeout }, async () => {
    const [first, second] = [uniqueRoom('first'), uniqueRoom('second')];
    await post(chat.baseUrl, first, 'carol', 'in the first room');
    await post(chat.baseUrl, second, 'carol', 'in the second room');

    const page = await chat.open({ user: 'frank' });
    await page.page.waitForSelector('#join-form');
    assert.equal(await page.page.inputValue('#join-user'), 'frank');
    await page.page.fill('#join-room', 'not a valid room!');
    await page.page.click('#join-form button');
    assert.equal(await page.page.isVisible('#join-form'), true, 'an invalid room id is not accepted');
    await page.page.fill('#join-room', first);
    await page.page.click('#join-form button');
    await page.waitForConnection('live');
    await page.waitForTexts('in the first room');
    assert.equal(new URL(page.page.url()).searchParams.get('room'), first);

    await page.page.fill('#room-switch', second);
    await page.page.click('#room-form button');
    await page.waitForTexts('in the second room');
    assert.equal(new URL(page.page.url()).searchParams.get('room'), second);
    assert.equal(new URL(page.page.url()).searchParams.get('user'), 'frank');
    await page.send('frank was here');
    await page.waitForTexts('frank was here');
    await post(chat.baseUrl, first, 'carol', 'first room again, not for this view');
    await post(chat.baseUrl, second, 'carol', 'second room again');
    await page.waitForTexts('second room again');
    assert.deepEqual(await page.texts(), ['in the second room', 'frank was here', 'second room again'],
      'only the second room shows, and the first room\'s stream is closed');
    assert.deepEqual((await history(chat.baseUrl, second)).messages.map((message) => message.text),
      ['in the second room', 'frank was here', 'second room again'], 'the page posted into the room it shows');

    await page.page.goBack();
    await page.waitForTexts('in the first room', 'first room again, not for this view');
    assert.equal(await page.page.isVisible('#join-form'), false);
  });
});
