// Editing a message in place: its text becomes a box with Save and Cancel (Enter saves, Escape cancels) until the
// server has the new text, which then arrives as the message's new version and replaces the whole item.

/** Opens the editor on `item` with `text`; `save(text)` resolves when stored, or rejects with what to tell. */
export function openEditor(item, text, save) {
  const shown = item.querySelector('.text');
  const actions = item.querySelector('.actions');
  if (!shown || item.querySelector('form.editor')) {
    return;
  }

  const form = document.createElement('form');
  form.className = 'editor';
  const box = document.createElement('textarea');
  box.className = 'edit-text';
  box.value = text;
  box.rows = 2;
  box.setAttribute('aria-label', 'Edit message');
  const saveButton = document.createElement('button');
  saveButton.type = 'submit';
  saveButton.textContent = 'Save';
  const cancel = document.createElement('button');
  cancel.type = 'button';
  cancel.textContent = 'Cancel';
  const error = document.createElement('p');
  error.className = 'edit-error';
  error.hidden = true;
  form.append(box, saveButton, cancel, error);

  const close = () => {
    form.remove();
    shown.hidden = false;
    if (actions) {
      actions.hidden = false;
    }
  };

  cancel.addEventListener('click', close);
  box.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      close();
    } else if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const next = box.value.trim();
    if (next === '' || next === text) {
      close();
      return;
    }

    saveButton.disabled = true;
    try {
      await save(box.value);
      close();
    } catch (failure) {
      error.textContent = `Not saved: ${failure.message}`;
      error.hidden = false;
      saveButton.disabled = false;
    }
  });

  shown.hidden = true;
  if (actions) {
    actions.hidden = true;
  }

  shown.after(form);
  box.focus();
}
