// One room as one user sees it: history first, then the live stream from where history ended, so nothing
// is missed in between; every message shown once, whichever way it arrives (history, stream, POST reply).

import { RefusedError, backoffMs, delay, eventsUrl, fetchHistory, postMessage } from './chat-api.js';

const pageSize = 50;

export class RoomSession {
  #roomId;
  #userId;
  #view;
  #closed = false;
  #source = null;
  #reconnectTimer = 0;
  #reconnectAttempts = 0;
  /** Seqs on screen: a message can reach the page by history, by the stream and by its POST reply. */
  #shown = new Set();
  /** Every message up to this seq has reached the page in order: where a new stream resumes. */
  #resumeSeq = 0;
  #oldestSeq = Infinity;
  #loadingOlder = false;
  /** Posts go one after another, so a user's messages keep the order they were typed in. */
  #outbox = Promise.resolve();

  constructor(roomId, userId, view) {
    this.#roomId = roomId;
    this.#userId = userId;
    this.#view = view;
  }

  open() {
    this.#view.reset(this.#roomId, this.#userId);
    this.#sync();
  }

  close() {
    this.#closed = true;
    this.#source?.close();
    clearTimeout(this.#reconnectTimer);
  }

  send(text) {
    const message = { userId: this.#userId, text, clientMessageId: newClientMessageId() };
    this.#view.hideSendError();
    this.#view.addPending(message);
    this.#outbox = this.#outbox.then(() => this.#post(message));
  }

  async loadOlder() {
    if (this.#loadingOlder || this.#closed || this.#oldestSeq === Infinity) {
      return;
    }

    this.#loadingOlder = true;
    try {
      const page = await fetchHistory(this.#roomId, { before: this.#oldestSeq, limit: pageSize });
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
        const page = await fetchHistory(this.#roomId, { limit: pageSize });
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
          this.#view.notice(error.message);
          return;
        }

        this.#view.setConnection('reconnecting');
        await delay(backoffMs(attempt));
      }
    }
  }

  #connect() {
    const source = new EventSource(eventsUrl(this.#roomId, this.#resumeSeq));
    this.#source = source;
    const current = (handler) => (event) => {
      if (this.#source === source && !this.#closed) {
        handler(event);
      }
    };

    source.addEventListener('open', current(() => {
      this.#reconnectAttempts = 0;
      this.#view.setConnection('live');
    }));
    source.addEventListener('chat', current((event) => {
      const message = JSON.parse(event.data);
      this.#resumeSeq = Math.max(this.#resumeSeq, message.seq);
      this.#show(message);
    }));
    source.addEventListener('gap', current((event) => {
      const gap = JSON.parse(event.data);
      const missing = gap.to - gap.from + 1;
      this.#resumeSeq = Math.max(this.#resumeSeq, gap.to);
      this.#view.notice(missing === 1 ? '1 message is no longer available.' : `${missing} messages are no longer available.`);
    }));
    source.addEventListener('reset', current(() => this.#reset()));
    source.addEventListener('error', current(() => {
      this.#view.setConnection('reconnecting');
      // While CONNECTING the browser retries by itself, with Last-Event-ID. CLOSED means it gave up (the
      // answer was not an event stream: a 503 from a node that is starting, say), so start a new one.
      if (source.readyState === EventSource.CLOSED) {
        this.#reconnectTimer = setTimeout(() => this.#connect(), backoffMs(this.#reconnectAttempts++));
      }
    }));
  }

  /** The room's history is no longer the one on screen (in-memory history lost in a restart): start over. */
  #reset() {
    this.#source.close();
    this.#source = null;
    this.#shown.clear();
    this.#oldestSeq = Infinity;
    this.#resumeSeq = 0;
    this.#view.clearMessages();
    this.#view.notice('The server lost this room’s history; showing the room as it is now.');
    this.#sync();
  }

  async #post(message) {
    try {
      const stored = await postMessage(this.#roomId, message, {
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
