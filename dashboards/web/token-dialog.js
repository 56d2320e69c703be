// The header's "token" button: sets (or forgets) the bearer token for this tab. The stream needs
// it when the agent has a token_file (a WebSocket that is refused never says why, so after a few
// refusals the stream pill says a token may be needed), and Isolate / Release ask for it on a 401.
import { $ } from './dom.js';
import { token } from './api.js';

function label() {
  $('#token-button').textContent = token.get() ? 'token: set' : 'token';
}

export function startTokenDialog(onChange) {
  const dialog = $('#token-dialog');
  label();
  $('#token-button').addEventListener('click', () => {
    $('#token-input').value = '';
    dialog.returnValue = '';
    dialog.showModal();
  });
  dialog.addEventListener('close', () => {
    if (dialog.returnValue === 'save') token.set($('#token-input').value.trim());
    else if (dialog.returnValue === 'forget') token.set(null);
    else return;
    label();
    onChange();
  });
}
