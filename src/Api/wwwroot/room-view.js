// The chat's DOM: the message list in seq order, the messages being sent, notices and the connection state.
// User data only ever reaches the page through textContent and attributes, never as markup.

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
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
  #userId = '';

  constructor(elements) {
    this.#elements = elements;
  }

  /** Empties the view for a room, as `identity` (its userId marks our own messages, its name says who we are). */
  reset(roomId, identity) {
    this.#userId = identity.userId;
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
    const item = this.#messageItem(message);
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

  /** A message of ours on its way to the server. */
  addPending(message) {
    const item = this.#messageItem({ ...message, seq: undefined, createdAt: undefined });
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

  #messageItem(message) {
    const item = document.createElement('li');
    item.className = 'message';
    if (message.seq !== undefined) {
      item.dataset.seq = String(message.seq);
    }

    if (message.userId === this.#userId) {
      item.classList.add('own');
    }

    const avatar = document.createElement('span');
    avatar.className = 'avatar';
    avatar.setAttribute('aria-hidden', 'true');
    const name = message.userName ?? message.userId;
    avatar.textContent = [...name][0].toUpperCase();
    avatar.style.setProperty('--hue', String(hue(message.userId)));

    const author = document.createElement('span');
    author.className = 'author';
    author.textContent = name;
    author.title = message.userId;

    const when = document.createElement('time');
    when.className = 'when';
    if (message.createdAt) {
      const createdAt = new Date(message.createdAt);
      when.dateTime = message.createdAt;
      when.textContent = timeFormat.format(createdAt);
      when.title = dateTimeFormat.format(createdAt);
    }

    const meta = document.createElement('p');
    meta.className = 'meta';
    meta.append(author, ' ', when);

    const text = document.createElement('p');
    text.className = 'text';
    text.textContent = message.text;

    const bubble = document.createElement('div');
    bubble.className = 'bubble';
    bubble.append(meta, text);
    item.append(avatar, bubble);
    return item;
  }
}

/** A stable colour per user, so a conversation can be followed at a glance. */
function hue(userId) {
  let hash = 0;
  for (const char of userId) {
    hash = (hash * 31 + char.codePointAt(0)) >>> 0;
  }

  return hash % 360;
}
