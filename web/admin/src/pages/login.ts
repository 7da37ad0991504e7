// Login page (/admin/login/?next=<admin path>): the form, then back to where the user was going.
import type {AppContext} from '../app';
import {isAppPage, PATHS, PRODUCT_NAME} from '../app';
import {h, message} from '../dom';
import {createLoginForm, focusLoginForm} from '../login_form';

// Only a path of this app: never another site (an open redirect) nor the login page itself.
function safeNext(next: string | null): string {
  if (!next || !next.startsWith('/admin/') || !isAppPage(next) ||
      new URL(next, window.location.href).pathname.startsWith(PATHS.login)) {
    return PATHS.assets;
  }
  return next;
}

export function mount(root: HTMLElement, app: AppContext): () => void {
  const next = safeNext(app.url.searchParams.get('next'));
  const form = createLoginForm({onSuccess: () => app.navigate(next, {replace: true})});
  const notice = app.url.searchParams.has('next')
      ? message('info', 'Please log in to see this page.')
      : null;
  root.append(h('div', {id: 'login-container'},
                h('header', {id: 'header'}, h('div', {id: 'branding'}, h('h1', {class: 'site-name'}, PRODUCT_NAME))),
                h('main', {id: 'login-content'}, notice, form)));
  focusLoginForm(form);
  return () => {};
}
