// The chat page as a test sees it: what a user does (open, type, send, scroll back) and what a user sees
// (messages in order, notices, the connection state), with waits on DOM conditions instead of sleeps.

import { openPage } from './browser.js';

export class ChatPage {
  constructor(page) {
    this.page = page;
  }

  /**
   * Opens `/?room=ROOM&user=NAME&ttl=SECONDS#token=TOKEN` (each may be left out) and, with a room and a user or
   * token, waits until the room is live (unless `live` is false). `routes(context)` may intercept requests before
   * the page loads.
   */
  static async open(browser, baseUrl, { room, user, ttl, token, live = true, viewport, routes } = {}) {
    const query = new URLSearchParams();
    if (room !== undefined) query.set('room', room);
    if (user !== undefined) query.set('user', user);
    if (ttl !== undefined) query.set('ttl', String(ttl));
    const fragment = token === undefined ? '' : `#token=${token}`;
    const chat = new ChatPage(await openPage(browser, `${baseUrl}/?${query}${fragment}`, { viewport, routes }));
    if (live && room !== undefined && (user !== undefined || token !== undefined)) {
      await chat.waitForConnection('live');
    }

    return chat;
  }

  async send(text) {
    await this.page.fill('#text', text);
    await this.page.press('#text', 'Enter');
  }

  /** Messages on screen with a seq, in screen order. */
  messages() {
    return this.page.$$eval('#messages li.message', (items) => items.map((item) => ({
      seq: Number(item.dataset.seq),
      user: item.querySelector('.author').textContent,
      text: item.querySelector('.text').textContent,
    })));
  }

  /** The message `seq` as shown: its text ('message deleted' for a tombstone), and whether it is marked edited or deleted. */
  message(seq) {
    return this.page.$eval(`#messages li.message[data-seq="${seq}"]`, (item) => ({
      text: item.querySelector('.text').textContent,
      edited: item.querySelector('.edited') !== null,
      deleted: item.classList.contains('deleted'),
    }));
  }

  /** Waits until message `seq` shows `text` (an edit or a deletion that reached the page). */
  async waitForMessageText(seq, text) {
    await this.page.waitForFunction(([n, wanted]) =>
      document.querySelector(`#messages li.message[data-seq="${n}"] .text`)?.textContent === wanted, [seq, text]);
  }

  /** The actions message `seq` offers this page's user (e.g. ['edit', 'delete']). */
  actionsOf(seq) {
    return this.page.$$eval(`#messages li.message[data-seq="${seq}"] .actions button`, (buttons) => buttons.map((button) => button.dataset.action));
  }

  /** Edits message `seq` the way a user does: Edit, type the new text, Enter. */
  async edit(seq, text) {
    const item = this.page.locator(`#messages li.message[data-seq="${seq}"]`);
    await item.hover();
    await item.locator('button[data-action="edit"]').click();
    await item.locator('textarea.edit-text').fill(text);
    await item.locator('textarea.edit-text').press('Enter');
  }

  async delete(seq) {
    const item = this.page.locator(`#messages li.message[data-seq="${seq}"]`);
    await item.hover();
    await item.locator('button[data-action="delete"]').click();
  }

  async texts() {
    return (await this.messages()).map((message) => message.text);
  }

  /** Waits until every one of `texts` is on screen as a stored message (not one still being sent). */
  async waitForTexts(...texts) {
    await this.page.waitForFunction((wanted) => {
      const shown = new Set([...document.querySelectorAll('#messages li.message .text')].map((text) => text.textContent));
      return wanted.every((text) => shown.has(text));
    }, texts);
  }

  async waitForMessageCount(count) {
    await this.page.waitForFunction((n) => document.querySelectorAll('#messages li.message').length === n, count);
  }

  async waitForConnection(state) {
    await this.page.waitForSelector(`#connection[data-state="${state}"]`);
  }

  async connectionText() {
    return this.page.textContent('#connection');
  }

  /** `timeoutMs`: longer than the default for a page that first has to notice a server come back. */
  async waitForNotice(pattern, { timeoutMs } = {}) {
    await this.page.waitForFunction((source) => [...document.querySelectorAll('#messages li.notice')]
      .some((notice) => new RegExp(source).test(notice.textContent)), pattern.source, { timeout: timeoutMs });
  }

  /** Waits until the outbox is empty: every message sent from this page has come back stored. */
  async waitForOutboxEmpty() {
    await this.page.waitForFunction(() => document.querySelectorAll('#outbox li').length === 0);
  }

  /** Fails with what went wrong in the page, if anything did. */
  assertNoPageErrors() {
    if (this.page.errors.length > 0) {
      throw new Error(`Uncaught errors in the page: ${this.page.errors.map((error) => error.message).join('; ')}`);
    }
  }

  async close() {
    await this.page.context().close();
  }
}
