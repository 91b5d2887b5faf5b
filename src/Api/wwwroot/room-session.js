// One room as one user sees it: history first, then the live stream from where history ended, so nothing
// is missed in between; every message shown once, whichever way it arrives (history, stream, POST reply).

import { RefusedError, backoffMs, delay, fetchHistory, postMessage, postTyping } from './chat-api.js';
import { RoomStream } from './room-stream.js';

const pageSize = 50;
/** The server forwards one typing event per user and room per 2 s; more would be dropped there. */
const typingEveryMs = 2000;

export class RoomSession {
  #roomId;
  #identity;
  #view;
  #presence;
  #lastTyping = 0;
  #closed = false;
  #stream = null;
  /** Seqs on screen: a message can reach the page by history, by the stream and by its POST reply. */
  #shown = new Set();
  /** Every message up to this seq has reached the page in order: where a new stream resumes. */
  #resumeSeq = 0;
  #oldestSeq = Infinity;
  #loadingOlder = false;
  /** Posts go one after another, so a user's messages keep the order they were typed in. */
  #outbox = Promise.resolve();

  /** `identity`: who speaks, with the token its requests carry (identity.js); `presence`: the member list's view. */
  constructor(roomId, identity, view, presence) {
    this.#roomId = roomId;
    this.#identity = identity;
    this.#view = view;
    this.#presence = presence;
  }

  open() {
    this.#view.reset(this.#roomId, this.#identity);
    this.#presence.reset(this.#identity.userId);
    this.#sync();
  }

  close() {
    this.#closed = true;
    this.#stream?.close();
  }

  send(text) {
    const message = { userId: this.#identity.userId, text, clientMessageId: newClientMessageId() };
    this.#view.hideSendError();
    this.#view.addPending({ ...message, userName: this.#identity.name });
    this.#outbox = this.#outbox.then(() => this.#post(message));
  }

  /** The user is writing: the room hears it, at most as often as the server would pass it on. */
  typing() {
    const now = Date.now();
    if (!this.#closed && now - this.#lastTyping >= typingEveryMs) {
      this.#lastTyping = now;
      postTyping(this.#roomId, this.#identity.userId, this.#identity);
    }
  }

  async loadOlder() {
    if (this.#loadingOlder || this.#closed || this.#oldestSeq === Infinity) {
      return;
    }

    this.#loadingOlder = true;
    try {
      const page = await fetchHistory(this.#roomId, this.#identity, { before: this.#oldestSeq, limit: pageSize });
      if (!this.#closed) {
        this.#view.batch(() => page.messages.forEach((message) => this.#show(message)));
        this.#view.setHasOlder(hasOlder(page));
      }
    } catch (error) {
      // The button stays, so the reader can try again; the connection state already tells about outages.
      console.warn('Could not load older messages', error);
    } finally {
      this.#loadingOlder = false;
    }
  }

  /** Loads the latest history (retrying while the server is away), then streams from its last seq. */
  async #sync() {
    for (let attempt = 0; ; attempt++) {
      try {
        const page = await fetchHistory(this.#roomId, this.#identity, { limit: pageSize });
        if (this.#closed) {
          return;
        }

        this.#view.batch(() => page.messages.forEach((message) => this.#show(message)));
        this.#view.setHasOlder(hasOlder(page));
        this.#view.scrollToBottom();
        this.#resumeSeq = page.lastSeq;
        this.#connect();
        return;
      } catch (error) {
        if (this.#closed) {
          return;
        }

        if (error instanceof RefusedError) {
          this.#refused(error);
          return;
        }

        this.#view.setConnection('reconnecting');
        await delay(backoffMs(attempt));
      }
    }
  }

  #connect() {
    this.#stream = new RoomStream(this.#roomId, this.#identity, {
      resumeSeq: () => this.#resumeSeq,
      chat: (message) => {
        this.#resumeSeq = Math.max(this.#resumeSeq, message.seq);
        this.#show(message);
      },
      gap: (gap) => {
        const missing = gap.to - gap.from + 1;
        this.#resumeSeq = Math.max(this.#resumeSeq, gap.to);
        this.#view.notice(missing === 1 ? '1 message is no longer available.' : `${missing} messages are no longer available.`);
      },
      reset: () => this.#reset(),
      presence: (type, data) => this.#presence.handle(type, data),
      state: (state, text) => this.#view.setConnection(state, text),
      refused: (error) => this.#refused(error),
    });
    this.#stream.open();
  }

  /** The room's history is no longer the one on screen (in-memory history lost in a restart): start over. */
  #reset() {
    this.#stream.close();
    this.#stream = null;
    this.#shown.clear();
    this.#oldestSeq = Infinity;
    this.#resumeSeq = 0;
    this.#view.clearMessages();
    this.#view.notice('The server lost this room’s history; showing the room as it is now.');
    this.#sync();
  }

  /** The server will not let this user see the room (any more): say why, and stop trying. */
  #refused(error) {
    this.#stream?.close();
    this.#view.setConnection(error.status === 401 ? 'signed-out' : 'refused');
    this.#view.notice(error.message);
  }

  async #post(message) {
    try {
      const stored = await postMessage(this.#roomId, message, this.#identity, {
        onRetry: () => this.#view.markRetrying(message.clientMessageId),
      });
      if (!this.#closed) {
        this.#show(stored);
      }
    } catch (error) {
      if (!this.#closed) {
        this.#view.removePending(message.clientMessageId);
        this.#view.showSendError(`Not sent: ${error.message}`, message.text);
      }
    }
  }

  #show(message) {
    if (this.#shown.has(message.seq)) {
      this.#view.removePending(message.clientMessageId);
      return;
    }

    this.#shown.add(message.seq);
    this.#presence.stoppedTyping(message.userId);
    this.#oldestSeq = Math.min(this.#oldestSeq, message.seq);
    this.#view.addMessage(message);
  }
}

function hasOlder(page) {
  return page.messages.length > 0 && page.messages[0].seq > page.firstRetainedSeq;
}

/** Random and unique enough per user; crypto.randomUUID would need a secure context, plain http on a LAN is not. */
function newClientMessageId() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
