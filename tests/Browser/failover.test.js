// A page keeps working when the API node under it dies: it shows it is reconnecting, gets back on its own,
// delivers what was sent meanwhile, and ends up showing exactly the room's messages, each once.
//
// The scenario takes a target, so each topology only needs a target of its own:
//   { baseUrl, historySurvives, crash(), recover() }

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { history, post, uniqueRoom } from './support/api.js';
import { launchBrowser } from './support/browser.js';
import { ChatPage } from './support/chat-page.js';
import { cluster, nginxUrl } from './support/cluster.js';
import { useChat } from './support/fixture.js';

const timeout = 120_000;

async function pageSurvivesNodeLoss(browser, target) {
  const room = uniqueRoom('failover');
  const page = await ChatPage.open(browser, target.baseUrl, { room, user: 'ann' });
  try {
    for (const text of ['before 1', 'before 2', 'before 3']) {
      await post(target.baseUrl, room, 'bob', text);
    }

    await page.waitForTexts('before 1', 'before 2', 'before 3');

    await target.crash();
    await page.waitForConnection('reconnecting');
    // Sent into the outage: the page keeps retrying until a node takes it.
    await page.send('sent while the node was down');
    await target.recover();

    if (!target.historySurvives) {
      // The room came back empty: the stream's Last-Event-ID is past its lastSeq, so the page must start over.
      await page.waitForNotice(/lost this room’s history/);
    }

    await page.waitForTexts('sent while the node was down');
    await page.waitForConnection('live');
    for (const text of ['after 1', 'after 2', 'after 3']) {
      await post(target.baseUrl, room, 'bob', text);
    }

    await page.waitForTexts('after 1', 'after 2', 'after 3');
    await page.waitForOutboxEmpty();

    const stored = (await history(target.baseUrl, room)).messages.map(({ seq, userId, text }) => ({ seq, user: userId, text }));
    assert.deepEqual(await page.messages(), stored, 'the page shows exactly the room\'s messages, in order, each once');
    assert.ok(stored.some((message) => message.text === 'after 3'));
    page.assertNoPageErrors();
  } finally {
    await page.close();
  }
}

describe('failover', () => {
  const chat = useChat();

  test('a page recovers when the embedded server is killed and restarted on the same port', { timeout }, async () => {
    await pageSurvivesNodeLoss(chat.browser, {
      baseUrl: chat.baseUrl,
      historySurvives: false,
      crash: () => chat.server.kill(),
      recover: () => chat.server.restart(),
    });
  });
});

describe('failover in the loopback cluster', () => {
  // cluster.sh runs Jwt mode with dev tokens on: the page and the test's own posts sign in with dev tokens.
  const env = {};
  let browser;

  before(async () => {
    await cluster(['up', '--no-build'], env);
    browser = await launchBrowser();
  }, { timeout: 300_000 });

  after(async () => {
    await browser?.close();
    await cluster(['down']);
  }, { timeout: 120_000 });

  test('a page behind nginx keeps receiving, each message once, after its API node is SIGKILLed', { timeout: 300_000 }, async () => {
    // With api2 away while the page opens, nginx must put the page's event stream on api1: the node killed below.
    await cluster(['stop', 'api2']);
    try {
      await pageSurvivesNodeLoss(browser, {
        baseUrl: nginxUrl,
        historySurvives: true,
        crash: async () => {
          await cluster(['start', 'api2'], env);
          await cluster(['kill', 'api1']);
        },
        recover: async () => {},
      });
    } finally {
      await cluster(['start', 'api1'], env);
    }
  });
});
