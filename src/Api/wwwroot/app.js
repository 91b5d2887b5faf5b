// The page: `/?room=ROOM&user=NAME` opens a room, asking for whatever is missing; the URL always names the room
// on screen, so it can be shared, reloaded and navigated with back/forward. The user signs in with a name (a dev
// token from the server, `?ttl=SECONDS` long), or comes with a token of the operator's own issuer in `#token=…`,
// which then says who the user is.

import { DevIdentity, devTokenTtl, givenIdentity } from './identity.js';
import { PresenceView } from './presence-view.js';
import { RoomSession } from './room-session.js';
import { RoomView } from './room-view.js';

const roomIdPattern = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const maxUserIdLength = 64;
const scrollBackPx = 40;

const byId = (id) => document.getElementById(id);
const view = new RoomView({
  scroller: byId('scroller'),
  messages: byId('messages'),
  outbox: byId('outbox'),
  connection: byId('connection'),
  loadOlder: byId('load-older'),
  sendError: byId('send-error'),
  text: byId('text'),
  roomName: byId('room-name'),
  userName: byId('user-name'),
}, {
  edit: (seq, text) => session.edit(seq, text),
  remove: (seq) => session.remove(seq),
});
const presence = new PresenceView({
  count: byId('member-count'),
  list: byId('member-list'),
  typing: byId('typing'),
}, (text) => view.notice(text));
let session = null;
const given = givenIdentity();
let identity = given;

/** The room and user in the URL, each '' when missing or not valid for the API; a given token names the user. */
function fromLocation() {
  const query = new URLSearchParams(location.search);
  const room = query.get('room')?.trim() ?? '';
  const user = given ? given.userId : query.get('user')?.trim() ?? '';
  return {
    room: roomIdPattern.test(room) ? room : '',
    user: user.length <= maxUserIdLength && !/\p{Cc}/u.test(user) ? user : '',
  };
}

/** Opens `room` as `user`, keeping the URL's other parameters (`ttl`). */
function navigate(room, user) {
  const query = new URLSearchParams(location.search);
  query.set('room', room);
  if (given) {
    query.delete('user');
  } else {
    query.set('user', user);
  }

  history.pushState(null, '', `?${query}`);
  show();
}

/** The identity for `user`: the given one, or the one already signed in under that name (its token is still good). */
function identityFor(user) {
  if (!given && identity?.userId !== user) {
    identity = new DevIdentity(user, devTokenTtl());
  }

  return identity;
}

function show() {
  const { room, user } = fromLocation();
  session?.close();
  session = null;
  const ready = room !== '' && user !== '';
  byId('join').hidden = ready;
  byId('chat').hidden = !ready;
  byId('members').hidden = !ready;
  byId('where').hidden = !ready;
  byId('connection').hidden = !ready;
  byId('room-form').hidden = !ready;
  if (!ready) {
    byId('join-user').value = given ? given.name : user;
    byId('join-user').readOnly = given !== null;
    byId('join-room').value = room || 'lobby';
    (user ? byId('join-room') : byId('join-user')).focus();
    document.title = 'OrleansChat';
    return;
  }

  byId('room-switch').value = '';
  session = new RoomSession(room, identityFor(user), view, presence);
  session.open();
  byId('text').focus();
}

byId('join-form').addEventListener('submit', (event) => {
  event.preventDefault();
  navigate(byId('join-room').value.trim(), byId('join-user').value.trim());
});

byId('room-form').addEventListener('submit', (event) => {
  event.preventDefault();
  navigate(byId('room-switch').value.trim(), fromLocation().user);
});

byId('composer').addEventListener('submit', (event) => {
  event.preventDefault();
  const text = byId('text');
  if (session && text.value.trim() !== '') {
    session.send(text.value);
    text.value = '';
    fitText();
  }
});

// Enter sends, Shift+Enter starts a new line (unless an input method is still composing).
byId('text').addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    byId('composer').requestSubmit();
  }
});

/** The message box grows with its text, up to the limit the stylesheet sets. */
function fitText() {
  const text = byId('text');
  text.style.height = 'auto';
  text.style.height = `${text.scrollHeight}px`;
}

byId('text').addEventListener('input', () => {
  fitText();
  session?.typing();
});
byId('load-older').addEventListener('click', () => session?.loadOlder());
byId('scroller').addEventListener('scroll', () => {
  if (byId('scroller').scrollTop < scrollBackPx && !byId('load-older').hidden) {
    session?.loadOlder();
  }
}, { passive: true });
window.addEventListener('popstate', show);

show();
