// Light or dark: the system's preference (prefers-color-scheme) unless the user picked one with
// the toggle, which is remembered in this browser. A dark room's wall screen wants dark.
import { $ } from './dom.js';

const KEY = 'shipwatch-theme';
const NEXT = { system: 'dark', dark: 'light', light: 'system' };

function apply(choice) {
  if (choice === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = choice;
  const button = $('#theme');
  if (button) {
    button.textContent = `theme: ${choice}`;
    button.setAttribute('aria-label', `colour theme: ${choice} (click to change)`);
  }
}

export function startTheme() {
  let choice = localStorage.getItem(KEY) ?? 'system';
  if (!NEXT[choice]) choice = 'system';
  apply(choice);
  $('#theme')?.addEventListener('click', () => {
    choice = NEXT[choice];
    localStorage.setItem(KEY, choice);
    apply(choice);
  });
}
