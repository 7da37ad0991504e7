// The login form, shared by the Login page and the re-login dialog a running job opens: "Username", "Password",
// "Log in", and the reasons a login fails shown in the form (wrong password, rate-limited, not staff).
import {ApiError, clearToken, isStaff, login} from './api';
import {h, message, replaceChildren, uniqueId} from './dom';

export const WRONG_CREDENTIALS =
    'Please enter the correct username and password for a staff account. Note that both fields may be case-sensitive.';
export const NOT_STAFF = 'Admin access required: this account is not a staff account.';

export function loginFailureText(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 401) return WRONG_CREDENTIALS;
    if (error.status === 429) {
      const wait = error.retryAfterSeconds;
      return wait !== null ? `Too many login attempts. Try again in ${formatWait(wait)}.`
                           : 'Too many login attempts. Try again later.';
    }
    if (error.status === 0) return `The server cannot be reached (${error.detail}).`;
    return `Login failed: ${error.detail} (HTTP ${error.status}).`;
  }
  return `Login failed: ${error instanceof Error ? error.message : String(error)}`;
}

function formatWait(seconds: number): string {
  if (seconds < 120) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  return `${Math.ceil(seconds / 60)} minutes`;
}

export interface LoginFormOptions {
  username?: string;            // filled in (the re-login dialog knows who was logged in)
  onSuccess: () => void;        // called once logged in as staff (the token is stored)
  extraButtons?: HTMLElement[]; // e.g. the dialog's "Cancel"
}

export function createLoginForm(options: LoginFormOptions): HTMLFormElement {
  const usernameId = uniqueId('username');
  const passwordId = uniqueId('password');
  const messages = h('div', {class: 'form-messages', 'aria-live': 'polite'});
  const usernameInput = h('input', {
    id: usernameId, name: 'username', type: 'text', autocomplete: 'username', required: true, maxlength: 150,
    autocapitalize: 'none', value: options.username ?? null,
  });
  const passwordInput = h('input', {
    id: passwordId, name: 'password', type: 'password', autocomplete: 'current-password', required: true,
  });
  const submit = h('button', {type: 'submit', class: 'default'}, 'Log in');
  const form = h('form', {class: 'login-form', novalidate: false},
                 messages,
                 h('div', {class: 'form-row'}, h('label', {for: usernameId}, 'Username:'), usernameInput),
                 h('div', {class: 'form-row'}, h('label', {for: passwordId}, 'Password:'), passwordInput),
                 h('div', {class: 'submit-row'}, submit, ...(options.extraButtons ?? [])));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    replaceChildren(messages);
    submit.disabled = true;
    try {
      await login(usernameInput.value, passwordInput.value);
      if (!(await isStaff())) {
        clearToken();
        replaceChildren(messages, message('error', NOT_STAFF));
        return;
      }
      passwordInput.value = '';
      options.onSuccess();
    } catch (error) {
      replaceChildren(messages, message('error', loginFailureText(error)));
      passwordInput.select();
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

export function focusLoginForm(form: HTMLFormElement): void {
  const username = form.elements.namedItem('username') as HTMLInputElement;
  const password = form.elements.namedItem('password') as HTMLInputElement;
  (username.value ? password : username).focus();
}
