// Per test file: one server and one browser for all its tests; pages opened in a test are closed after it,
// and a test fails if any of its pages threw an uncaught error.

import { after, afterEach, before } from 'node:test';
import { launchBrowser } from './browser.js';
import { ChatPage } from './chat-page.js';
import { EmbeddedServer } from './server.js';

export function useChat(settings = {}) {
  const pages = [];
  const fixture = {
    server: null,
    browser: null,
    get baseUrl() {
      return fixture.server.baseUrl;
    },
    async open(options) {
      const chat = await ChatPage.open(fixture.browser, fixture.baseUrl, options);
      pages.push(chat);
      return chat;
    },
  };

  before(async () => {
    fixture.server = await EmbeddedServer.start(settings);
    fixture.browser = await launchBrowser();
  });

  afterEach(async () => {
    const open = pages.splice(0);
    await Promise.all(open.map((chat) => chat.close()));
    open.forEach((chat) => chat.assertNoPageErrors());
  });

  after(async () => {
    await fixture.browser?.close();
    await fixture.server?.stop();
  });

  return fixture;
}
