// The chat's DOM: the message list in seq order, the messages being sent, notices and the connection state.
// User data only ever reaches the page through textContent and attributes, never as markup.

import { openEditor } from './message-editor.js';
import { messageItem } from './message-item.js';

const connectionLabels = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  limited: 'Waiting…',
  'signed-out': 'Signed out',
  refused: 'Not connected',
};
const nearBottomPx = 80;

export class RoomView {
  #elements;
  #changes;
  #roomId = '';
  #identity = null;

  /** `changes.edit(seq, text)` and `changes.remove(seq)` store a change (promises; a rejection says what went wrong). */
  constructor(elements, changes) {
    this.#elements = elements;
    this.#changes = changes;
  }

  /**
   * Empties the view for a room, as `identity`: its userId marks our own messages, its name says who we are, and
   * its rights decide whether others' messages offer Delete.
   */
  reset(roomId, identity) {
    this.#roomId = roomId;
    this.#identity = identity;
    this.#elements.messages.replaceChildren();
    this.#elements.outbox.replaceChildren();
    this.setHasOlder(false);
    this.hideSendError();
    this.setConnection('connecting');
    this.#elements.roomName.textContent = roomId;
    this.#elements.userName.textContent = identity.name;
    this.#elements.text.placeholder = `Message #${roomId}`;
    document.title = `#${roomId} · OrleansChat`;
  }

  /** Forgets the messages shown (the server's history of the room is not the one they came from). */
  clearMessages() {
    this.#elements.messages.replaceChildren();
    this.setHasOlder(false);
  }

  /** `text` says more than the state's own label (how long a wait lasts, say). */
  setConnection(state, text = connectionLabels[state]) {
    const status = this.#elements.connection;
    status.dataset.state = state;
    status.textContent = text;
  }

  setHasOlder(hasOlder) {
    this.#elements.loadOlder.hidden = !hasOlder;
  }

  /** Runs `change` as one update for assistive technology, so a page of history is not read out line by line. */
  batch(change) {
    const list = this.#elements.messages;
    list.setAttribute('aria-busy', 'true');
    try {
      change();
    } finally {
      list.removeAttribute('aria-busy');
    }
  }

  /** Puts a stored message in its place by seq; the caller makes sure each seq comes once. */
  addMessage(message) {
    const list = this.#elements.messages;
    const item = this.#storedItem(message);
    let next = null;
    for (let node = list.lastElementChild; node; node = node.previousElementSibling) {
      if (node.dataset.seq === undefined) {
        continue;
      }

      if (Number(node.dataset.seq) < message.seq) {
        break;
      }

      next = node;
    }

    this.#keepingScroll(next !== null, () => list.insertBefore(item, next));
    this.#outboxItem(message.clientMessageId)?.remove();
  }

  /** Shows `message` as it now stands (edited, or a tombstone) in place of its earlier version, if that is shown. */
  replaceMessage(message) {
    const shown = [...this.#elements.messages.children].find((item) => item.dataset.seq === String(message.seq));
    shown?.replaceWith(this.#storedItem(message));
  }

  /** A message of ours on its way to the server. */
  addPending(message) {
    const item = messageItem({ ...message, seq: undefined, createdAt: undefined }, { own: true });
    item.classList.add('pending');
    item.dataset.clientMessageId = message.clientMessageId;
    item.querySelector('.when').textContent = 'sending…';
    this.#keepingScroll(false, () => this.#elements.outbox.append(item), true);
  }

  markRetrying(clientMessageId) {
    const when = this.#outboxItem(clientMessageId)?.querySelector('.when');
    if (when) {
      when.textContent = 'not sent yet, retrying…';
    }
  }

  removePending(clientMessageId) {
    this.#outboxItem(clientMessageId)?.remove();
  }

  notice(text) {
    const item = document.createElement('li');
    item.className = 'notice';
    item.textContent = text;
    this.#keepingScroll(false, () => this.#elements.messages.append(item));
  }

  /** Says why a message was refused and gives its text back to edit, unless a new one is being written. */
  showSendError(detail, text) {
    this.#elements.sendError.textContent = detail;
    this.#elements.sendError.hidden = false;
    if (!this.#elements.text.value) {
      this.#elements.text.value = text;
    }
  }

  hideSendError() {
    this.#elements.sendError.hidden = true;
  }

  scrollToBottom() {
    const scroller = this.#elements.scroller;
    scroller.scrollTop = scroller.scrollHeight;
  }

  #outboxItem(clientMessageId) {
    if (!clientMessageId) {
      return null;
    }

    return [...this.#elements.outbox.children].find((item) => item.dataset.clientMessageId === clientMessageId) ?? null;
  }

  /**
   * Inserts without yanking the reader around: a message going in above others (scroll-back, or one that
   * overtook another) keeps what is on screen still; one at the end is followed only by a reader who is
   * already at the bottom, or who just sent it.
   */
  #keepingScroll(above, insert, follow = false) {
    const scroller = this.#elements.scroller;
    const fromBottom = scroller.scrollHeight - scroller.scrollTop;
    const atBottom = fromBottom - scroller.clientHeight < nearBottomPx;
    insert();
    if (above) {
      scroller.scrollTop = scroller.scrollHeight - fromBottom;
    } else if (atBottom || follow) {
      this.scrollToBottom();
    }
  }

  #storedItem(message) {
    const own = message.userId === this.#identity.userId;
    return messageItem(message, {
      own,
      mayDelete: own || this.#identity.moderates(this.#roomId),
      actions: {
        edit: (stored, item) => openEditor(item, stored.text, (text) => this.#changes.edit(stored.seq, text)),
        remove: (stored) => this.#changes.remove(stored.seq).catch((error) => this.notice(`Not deleted: ${error.message}`)),
      },
    });
  }
}
