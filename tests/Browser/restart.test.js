// A page that outlives its server's log (an embedded restart: the log lived in the process's memory, and the new
// process signs dev tokens with a new key) shows the new log only: it gets `reset`, reloads history, keeps no
// message of the lost log, and follows the new one live. The page may have learned its messages from the stream, or
// only from the answers to its own posts, before the stream delivered them; it may be back before or after anyone
// posts to the new log.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { post, uniqueRoom } from './support/api.js';
import { useChat } from './support/fixture.js';

const timeout = 180_000;
// Counted from the restarted server being ready: a browser retry (2 s), a token renewal, and the first stream of a
// room on a fresh process, which took up to 6 s on a machine at a load average of 30.
const recoveryMs = 30_000;

const seqsAndTexts = async (page) => (await page.messages()).map(({ seq, text }) => [seq, text]);

/**
 * Holds the page's event stream requests until released, so no event reaches the page before then. `requested`
 * resolves when the page first asks for its stream: it has loaded the room's history by then.
 */
function heldStreams() {
  let release;
  let requestedNow;
  const released = new Promise((resolve) => {
    release = resolve;
  });
  const requested = new Promise((resolve) => {
    requestedNow = resolve;
  });
  return {
    release,
    requested,
    routes: (context) => context.route((url) => url.pathname.endsWith('/events'), async (route) => {
      requestedNow();
      await released;
      await route.continue().catch(() => {});
    }),
  };
}

describe('a page across an embedded restart', () => {
  const chat = useChat();

  /**
   * Restarts the server (`stopped` runs while it is down), posts more messages than the page had, and checks that
   * the page shows the new log only.
   */
  async function restartAndExpectOnlyTheNewLog(page, room, stopped = () => {}, { resetBeforePosts = false } = {}) {
    const { server } = chat;
    await server.stop();
    stopped();
    await page.waitForConnection('reconnecting');
    await server.restart();
    if (resetBeforePosts) {
      // The page is back before anything is posted: the new log is empty and has no epoch yet, and the page's resume
      // point is of the lost one.
      await page.waitForNotice(/^The server lost this room’s history/, { timeoutMs: recoveryMs });
    }

    // More messages than the page had, so the new log's lastSeq is past the page's resume point: only the epoch
    // tells the server that the page's messages are not the room's.
    for (const text of ['new one', 'new two', 'new three']) {
      await post(server.baseUrl, room, 'bob', text);
    }

    await page.waitForNotice(/^The server lost this room’s history/, { timeoutMs: recoveryMs });
    await page.waitForTexts('new one', 'new two', 'new three');
    await page.waitForConnection('live');
    assert.deepEqual(await seqsAndTexts(page), [[1, 'new one'], [2, 'new two'], [3, 'new three']]);

    await post(server.baseUrl, room, 'bob', 'new four');
    await page.waitForMessageCount(4);
    assert.deepEqual((await page.texts()).at(-1), 'new four', 'the page follows the new log live');
  }

  test('a page that received its messages live reloads the new log and shows none of the lost one', { timeout }, async () => {
    const room = uniqueRoom('restart');
    const page = await chat.open({ room, user: 'ann' });
    for (const text of ['old one', 'old two']) {
      await post(chat.baseUrl, room, 'bob', text);
    }

    await page.waitForTexts('old one', 'old two');
    await restartAndExpectOnlyTheNewLog(page, room);
  });

  test('a page that knows its own messages only from their POST replies does too', { timeout }, async () => {
    await ownMessagesAcrossARestart(uniqueRoom('restart-own'));
  });

  test('such a page that is back before anyone posts to the new log is reset at once', { timeout }, async () => {
    await ownMessagesAcrossARestart(uniqueRoom('restart-early'), { resetBeforePosts: true });
  });

  async function ownMessagesAcrossARestart(room, options) {
    const streams = heldStreams();
    // The room is empty as the page opens, so its history names no epoch; its stream stays held, so only the replies
    // to its posts tell the page which log its messages are in.
    const page = await chat.open({ room, user: 'ann', live: false, routes: streams.routes });
    try {
      // A reply that comes back while the history still loads is left to the history or the stream to show, and
      // the stream is held: post once the page knows which log it shows.
      await streams.requested;
      for (const text of ['old one', 'old two']) {
        await page.send(text);
      }

      await page.waitForOutboxEmpty();
      await page.waitForMessageCount(2);
      await restartAndExpectOnlyTheNewLog(page, room, streams.release, options);
    } finally {
      streams.release();
    }
  }
});
