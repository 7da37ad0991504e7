// The frame around every page after login, in the manner of Django's admin: the product name, the user tools
// (user name, "Log out"), the admin menu ("Assets", "Batch Thumbnail Generator"), then the page's content.
import {PATHS, PRODUCT_NAME} from './app';
import {h} from './dom';

export interface Layout {
  element: HTMLElement;  // the whole frame
  content: HTMLElement;  // where the page mounts
}

const MENU = [
  {label: 'Assets', path: PATHS.assets},
  {label: 'Batch Thumbnail Generator', path: PATHS.generator},
];

export function createLayout(currentPath: string, username: string | null, onLogout: () => void): Layout {
  const userTools = h('div', {id: 'user-tools'});
  if (username) {
    userTools.append('Welcome, ', h('strong', {}, username), '. ');
  }
  userTools.append(h('button', {type: 'button', class: 'link-button', onclick: onLogout}, 'Log out'));
  const menu = h('nav', {id: 'admin-menu', 'aria-label': 'Admin menu'},
                 ...MENU.map(({label, path}) =>
                     h('a', {href: path, 'aria-current': currentPath === path ? 'page' : null}, label)));
  const content = h('main', {id: 'content'});
  const element = h('div', {id: 'container'},
                    h('header', {id: 'header'},
                      h('div', {id: 'branding'}, h('a', {href: PATHS.assets, class: 'site-name'}, PRODUCT_NAME)),
                      userTools),
                    menu, content);
  return {element, content};
}
