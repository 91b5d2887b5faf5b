// One room as one user sees it: history first, then the live stream from where history ended, so nothing
// is missed in between; every message shown once, whichever way it arrives (history, stream, POST reply), and
// always in its newest version (edits and deletions replace it in place).

import { RefusedError, backoffMs, delay, deleteMessage, editMessage, fetchHistory, postMessage, postTyping } from './chat-api.js';
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
  /** The messages on screen by seq: a message can reach the page by history, by the stream and by its POST reply. */
  #shown = new Map();
  /**
   * Every event up to this seq of this epoch (the room's log) has reached the page in order: where a stream resumes.
   * The epoch is '' for a room whose log was empty, and null while the room's history is (re)loading.
   */
  #resumeSeq = 0;
  #epoch = null;
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

  /** Stores `text` as the new text of our message `seq`; rejects with what went wrong. */
  async edit(seq, text) {
    const stored = await editMessage(this.#roomId, seq, text, this.#identity);
    this.#update(stored);
  }

  /** Deletes message `seq` (ours, or anyone's for a moderator); rejects with what went wrong. */
  async remove(seq) {
    const tombstone = await deleteMessage(this.#roomId, seq, this.#identity);
    this.#update(tombstone);
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
        this.#epoch = page.epoch ?? '';
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
      resumeId: () => (this.#epoch ? `${this.#resumeSeq}-${this.#epoch}` : String(this.#resumeSeq)),
      chat: (message, id) => {
        this.#reached(id);
        this.#show(message);
      },
      change: (message, id) => {
        this.#reached(id);
        this.#update(message);
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

  /** The stream delivered event `id` (`{seq}-{epoch}`): everything up to it has reached the page. */
  #reached(id) {
    if (!id) {
      return;
    }

    const [seq, epoch] = id.split('-');
    this.#resumeSeq = Number(seq);
    this.#epoch = epoch ?? this.#epoch;
  }

  /**
   * Whether a message of log `epoch` belongs with the ones on screen. A POST reply can bring a message before its
   * event reaches the stream; when the room was empty as the page opened, it also brings the first word of which
   * log the page shows, which its resume point must then carry: a reconnect after that log was lost would
   * otherwise be taken as of the new one, and the page would keep the lost messages.
   */
  #ofShownLog(epoch) {
    if (this.#epoch === null) {
      // The history being loaded, or the stream after it, brings the message.
      return false;
    }

    if (!epoch || epoch === this.#epoch) {
      return true;
    }

    if (this.#epoch === '') {
      this.#epoch = epoch;
      return true;
    }

    return false;
  }

  /** The room's log is no longer the one on screen (a restart or a wiped store began a new epoch): start over. */
  #reset() {
    this.#stream.close();
    this.#stream = null;
    this.#shown.clear();
    this.#oldestSeq = Infinity;
    this.#resumeSeq = 0;
    this.#epoch = null;
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
      const { message: stored, epoch } = await postMessage(this.#roomId, message, this.#identity, {
        onRetry: () => this.#view.markRetrying(message.clientMessageId),
      });
      if (this.#closed) {
        return;
      }

      if (this.#ofShownLog(epoch)) {
        this.#show(stored);
      } else {
        // Of a log the page is not showing: one it has left (the reset took it off the screen), or one it is about to
        // be reset to (whose history then shows the message).
        this.#view.removePending(message.clientMessageId);
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
      this.#update(message);
      return;
    }

    this.#shown.set(message.seq, message);
    this.#presence.stoppedTyping(message.userId);
    this.#oldestSeq = Math.min(this.#oldestSeq, message.seq);
    this.#view.addMessage(message);
  }

  /** Shows a newer version of a message on screen; an older one (a late reply, a replay) changes nothing. */
  #update(message) {
    const shown = this.#shown.get(message.seq);
    if (this.#closed || !shown || !isNewer(message, shown)) {
      return;
    }

    // A tombstone names no one: the reader still sees whose message it was.
    const current = { ...message, userName: message.userName ?? shown.userName };
    this.#shown.set(message.seq, current);
    this.#view.replaceMessage(current);
  }
}

/** Whether `message` is a later version than `shown`: a deletion is final, and edits go by their time. */
function isNewer(message, shown) {
  if (shown.deleted) {
    return false;
  }

  return message.deleted === true || editTime(message) > editTime(shown);
}

const editTime = (message) => (message.editedAt ? Date.parse(message.editedAt) : 0);

function hasOlder(page) {
  return page.messages.length > 0 && page.messages[0].seq > page.firstRetainedSeq;
}

/** Random and unique enough per user; crypto.randomUUID would need a secure context, plain http on a LAN is not. */
function newClientMessageId() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
