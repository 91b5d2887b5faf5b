// One message as a list item: author, time, whether it was edited, its text (or that it was deleted), and the
// actions its reader may take on it. User data only ever goes in as textContent and attributes, never as markup.

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/**
 * `message` as it now stands (a tombstone has `deleted` and no text); `own`: the reader wrote it; `mayDelete`: the
 * reader may delete it; `actions.edit(message, item)` / `actions.remove(message)` run when the buttons are pressed.
 */
export function messageItem(message, { own = false, mayDelete = false, actions = null } = {}) {
  const item = document.createElement('li');
  item.className = 'message';
  if (message.seq !== undefined) {
    item.dataset.seq = String(message.seq);
  }

  item.classList.toggle('own', own);
  item.classList.toggle('deleted', message.deleted === true);

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

  const meta = document.createElement('p');
  meta.className = 'meta';
  meta.append(author, ' ', timeOf(message.createdAt));
  if (message.editedAt && !message.deleted) {
    const edited = document.createElement('span');
    edited.className = 'edited';
    edited.textContent = 'edited';
    edited.title = dateTimeFormat.format(new Date(message.editedAt));
    meta.append(' ', edited);
  }

  const text = document.createElement('p');
  text.className = 'text';
  text.textContent = message.deleted ? 'message deleted' : message.text;

  if (actions && message.seq !== undefined && !message.deleted && (own || mayDelete)) {
    meta.append(actionBar(message, item, own, actions));
  }

  const bubble = document.createElement('div');
  bubble.className = 'bubble';
  bubble.append(meta, text);

  item.append(avatar, bubble);
  return item;
}

function timeOf(createdAt) {
  const when = document.createElement('time');
  when.className = 'when';
  if (createdAt) {
    const date = new Date(createdAt);
    when.dateTime = createdAt;
    when.textContent = timeFormat.format(date);
    when.title = dateTimeFormat.format(date);
  }

  return when;
}

function actionBar(message, item, own, actions) {
  const bar = document.createElement('span');
  bar.className = 'actions';
  if (own) {
    bar.append(button('Edit', 'edit', () => actions.edit(message, item)));
  }

  bar.append(button('Delete', 'delete', () => actions.remove(message)));
  return bar;
}

function button(label, action, onClick) {
  const element = document.createElement('button');
  element.type = 'button';
  element.className = 'action';
  element.dataset.action = action;
  element.textContent = label;
  element.addEventListener('click', onClick);
  return element;
}

/** A stable colour per user, so a conversation can be followed at a glance. */
function hue(userId) {
  let hash = 0;
  for (const char of userId) {
    hash = (hash * 31 + char.codePointAt(0)) >>> 0;
  }

  return hash % 360;
}
