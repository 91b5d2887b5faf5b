// A room's event stream for as long as the page shows the room: an EventSource that carries the identity's token
// (`access_token`) and resumes from the page's last event id `{seq}-{epoch}`; renewed with a fresh token when the server says the
// token expired, and reopened after anything else that ends it, at a pace the server's answer allows.

import { RefusedError, asRefusal, backoffMs, eventsUrl, probeEvents } from './chat-api.js';

export class RoomStream {
  #roomId;
  #identity;
  #on;
  #source = null;
  #token = null;
  /** Where the browser's own reconnect of `#source` resumes: its last event id, or the one in its URL. */
  #browserResumeId = '';
  #timer = 0;
  #attempts = 0;
  #closed = false;

  /**
   * `on`: resumeId() → the event id to resume after; chat(message, id), change(message, id) for an `edit` or
   * `delete`, gap(gap), reset() for the frames; presence(type, data) for the presence, join, leave and typing
   * events; state(name, text?) for what the reader should see of the connection; refused(RefusedError) when it
   * will not come back.
   */
  constructor(roomId, identity, on) {
    this.#roomId = roomId;
    this.#identity = identity;
    this.#on = on;
  }

  async open() {
    this.#stop();
    let token;
    try {
      token = await this.#identity.token();
    } catch (error) {
      this.#failed(error);
      return;
    }

    if (this.#closed) {
      return;
    }

    const resumeId = this.#on.resumeId();
    const source = new EventSource(eventsUrl(this.#roomId, resumeId, token));
    this.#source = source;
    this.#token = token;
    this.#browserResumeId = resumeId;
    const current = (handler) => (event) => {
      if (this.#source === source && !this.#closed) {
        this.#browserResumeId = event.lastEventId || this.#browserResumeId;
        handler(event);
      }
    };

    source.addEventListener('open', current(() => {
      this.#attempts = 0;
      this.#on.state('live');
    }));
    source.addEventListener('chat', current((event) => this.#on.chat(JSON.parse(event.data), event.lastEventId)));
    for (const type of ['edit', 'delete']) {
      source.addEventListener(type, current((event) => this.#on.change(JSON.parse(event.data), event.lastEventId)));
    }

    source.addEventListener('gap', current((event) => this.#on.gap(JSON.parse(event.data))));
    source.addEventListener('reset', current(() => this.#on.reset()));
    source.addEventListener('expired', current(() => this.#renew()));
    for (const type of ['presence', 'join', 'leave', 'typing']) {
      source.addEventListener(type, current((event) => this.#on.presence(type, JSON.parse(event.data))));
    }

    source.addEventListener('error', current(() => {
      this.#on.state('reconnecting');
      // While CONNECTING the browser retries by itself, with Last-Event-ID. CLOSED means the answer was not an
      // event stream, and EventSource does not say which answer it was: ask, then act on it.
      if (source.readyState === EventSource.CLOSED) {
        this.#diagnose();
      } else if (this.#browserResumeId !== this.#on.resumeId()) {
        // The page knows more than the browser would send (the log of a message it showed from its POST reply): a
        // resume from the browser's bare seq would be taken as of whatever log the room has by then.
        this.#stop();
        this.#reopenIn(backoffMs(this.#attempts++));
      }
    }));
  }

  close() {
    this.#closed = true;
    this.#stop();
  }

  #stop() {
    this.#source?.close();
    this.#source = null;
    clearTimeout(this.#timer);
  }

  /** The token ran out: the server ended the stream after everything before `expired`, so resume with a new one. */
  async #renew() {
    this.#stop();
    this.#on.state('reconnecting');
    try {
      await this.#identity.refresh(this.#token);
    } catch (error) {
      this.#failed(error);
      return;
    }

    if (!this.#closed) {
      this.open();
    }
  }

  async #diagnose() {
    this.#stop();
    const refusedToken = this.#token;
    let answer;
    try {
      answer = await probeEvents(this.#roomId, this.#identity);
    } catch (error) {
      this.#failed(error);
      return;
    }

    if (this.#closed) {
      return;
    }

    if (answer.status === 429) {
      const seconds = Math.max(1, Math.round(answer.retryAfterMs / 1000));
      this.#on.state('limited', `Too many open tabs or streams; retrying in ${seconds} s`);
      this.#reopenIn(answer.retryAfterMs);
    } else if (answer.problem && answer.status < 500) {
      this.#on.refused(answer.problem);
    } else if (!answer.problem && await this.#identity.token() !== refusedToken) {
      // The stream was refused the token the probe has since renewed (a node that restarted signs with a new key,
      // when none is configured): the cause is gone, so no waiting.
      if (!this.#closed) {
        this.open();
      }
    } else {
      // A node starting or stopping (503), a proxy without a node (502), or a cause that has passed (200).
      this.#reopenIn(backoffMs(this.#attempts++, answer.retryAfterMs));
    }
  }

  #failed(failure) {
    if (this.#closed) {
      return;
    }

    const error = asRefusal(failure);
    if (error instanceof RefusedError) {
      this.#on.refused(error);
    } else {
      // The network, or a node that is away: the identity gets its token on the next try.
      this.#on.state('reconnecting');
      this.#reopenIn(backoffMs(this.#attempts++));
    }
  }

  #reopenIn(ms) {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.open(), ms);
  }
}
