// Who is in the room: the member list with its count, "ann is typing…", and join and leave notices. The list
// follows the stream's `presence` event (the whole list, which replaces what is shown without clearing it first,
// so a reconnect does not flicker) and its `join` and `leave` events; a user's own join is no news to them.
// User data only ever reaches the page through textContent, never as markup.

const typingShownMs = 4000;

export class PresenceView {
  #elements;
  #notice;
  #userId = '';
  /** userId → display name, in the order they came. */
  #members = new Map();
  #count = 0;
  /** userId → [name, timer] of those typing now. */
  #typing = new Map();

  /** `notice(text)` puts a line among the messages. */
  constructor(elements, notice) {
    this.#elements = elements;
    this.#notice = notice;
  }

  reset(userId) {
    this.#userId = userId;
    this.#members.clear();
    this.#count = 0;
    this.#typing.forEach(([, timer]) => clearTimeout(timer));
    this.#typing.clear();
    this.#render();
    this.#renderTyping();
  }

  /** `type` is the SSE event's, `data` its JSON. */
  handle(type, data) {
    if (type === 'presence') {
      this.#members = new Map(data.members.map((member) => [member.userId, displayName(member)]));
      this.#count = data.count;
    } else if (type === 'join' && !this.#members.has(data.userId)) {
      this.#members.set(data.userId, displayName(data));
      this.#count++;
      if (data.userId !== this.#userId) {
        this.#notice(`${displayName(data)} joined`);
      }
    } else if (type === 'leave' && this.#members.delete(data.userId)) {
      this.#count = Math.max(this.#members.size, this.#count - 1);
      this.stoppedTyping(data.userId);
      this.#notice(`${displayName(data)} left`);
    } else if (type === 'typing' && data.userId !== this.#userId) {
      clearTimeout(this.#typing.get(data.userId)?.[1]);
      this.#typing.set(data.userId, [displayName(data), setTimeout(() => this.stoppedTyping(data.userId), typingShownMs)]);
      this.#renderTyping();
      return;
    } else {
      return;
    }

    this.#render();
  }

  /** Their message arrived, or they left: no longer typing. */
  stoppedTyping(userId) {
    const entry = this.#typing.get(userId);
    if (entry) {
      clearTimeout(entry[1]);
      this.#typing.delete(userId);
      this.#renderTyping();
    }
  }

  #render() {
    this.#elements.count.textContent = String(Math.max(this.#count, this.#members.size));
    this.#elements.list.replaceChildren(...[...this.#members].map(([userId, name]) => {
      const item = document.createElement('li');
      item.dataset.userId = userId;
      item.title = userId;
      item.textContent = name;
      if (userId === this.#userId) {
        item.classList.add('own');
      }

      return item;
    }));
  }

  #renderTyping() {
    const names = [...this.#typing.values()].map(([name]) => name);
    this.#elements.typing.textContent = names.length === 0 ? ''
      : names.length === 1 ? `${names[0]} is typing…`
        : names.length === 2 ? `${names[0]} and ${names[1]} are typing…`
          : `${names.length} people are typing…`;
  }
}

function displayName(user) {
  return user.userName ?? user.userId;
}
