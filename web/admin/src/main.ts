// The admin single-page app: a small router over the history API. Every /admin/ path answers the same index.html;
// this picks the page for the path, wraps it in the layout and mounts it.
import './admin.css';
import {currentUsername, logout, setSessionLostHandler} from './api';
import {type AppContext, isAppPage, type NavigateOptions, type PageModule, PATHS} from './app';
import {replaceChildren} from './dom';
import {createLayout} from './layout';
import * as assetsPage from './pages/assets';
import * as generatorPage from './pages/generator';
import * as loginPage from './pages/login';

interface Route {
  page: PageModule;
  title: string;
  public?: boolean;  // reachable without a token, drawn without the layout
}

const ROUTES: Record<string, Route> = {
  [PATHS.login]: {page: loginPage, title: 'Log in', public: true},
  [PATHS.assets]: {page: assetsPage, title: 'Assets'},
  [PATHS.generator]: {page: generatorPage, title: 'Batch Thumbnail Generator'},
};

const root = document.getElementById('app') as HTMLElement;
let unmountCurrent: (() => void) | null = null;
let leaveGuard: (() => string | null) | null = null;
let mountedPath = '';
let ignoreNextPop = false;  // the popstate of our own history.go(1) after the user chose to stay

// The login page with a way back here.
function loginUrlFor(location: Location | URL): string {
  const next = location.pathname + location.search;
  return next === PATHS.login || location.pathname === PATHS.login ? PATHS.login
                                                                   : `${PATHS.login}?next=${encodeURIComponent(next)}`;
}

function confirmLeave(): boolean {
  const message = leaveGuard?.();
  return !message || window.confirm(message);
}

function navigate(target: string, options: NavigateOptions = {}): void {
  if (!isAppPage(target)) {
    throw new Error(`navigate: ${target} is not an admin page`);
  }
  if (!confirmLeave()) return;
  const url = new URL(target, window.location.href);
  if (options.replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  render();
}

function render(): void {
  const url = new URL(window.location.href);
  const route = ROUTES[url.pathname];
  if (!route) {
    // /admin/ and anything unknown: the asset list (keeps trailing-slash-less variants working too).
    const withSlash = url.pathname.endsWith('/') ? null : `${url.pathname}/`;
    const target = withSlash && ROUTES[withSlash] ? withSlash + url.search : PATHS.assets;
    history.replaceState(null, '', target);
    render();
    return;
  }
  const username = currentUsername();
  if (!route.public && !username) {
    history.replaceState(null, '', loginUrlFor(url));
    render();
    return;
  }
  unmountCurrent?.();
  unmountCurrent = null;
  leaveGuard = null;
  mountedPath = url.pathname;

  let content = root;
  if (route.public) {
    replaceChildren(root);
  } else {
    const layout = createLayout(url.pathname, username, () => {
      if (!confirmLeave()) return;
      leaveGuard = null;
      logout();
      navigate(PATHS.login, {replace: true});
    });
    replaceChildren(root, layout.element);
    content = layout.content;
  }
  const app: AppContext = {
    url,
    username,
    navigate,
    setQuery(params, options = {}) {
      const next = new URL(window.location.href);
      next.search = params.toString();
      if (options.push) history.pushState(null, '', next);
      else history.replaceState(null, '', next);
    },
    setTitle(title) {
      document.title = `${title} | thumbgen administration`;
    },
    setLeaveGuard(guard) {
      leaveGuard = guard;
    },
  };
  app.setTitle(route.title);
  unmountCurrent = route.page.mount(content, app);
}

// A 401 on a page (no job handling it): log in again and come back here.
setSessionLostHandler(() => {
  if (mountedPath === PATHS.login) return;
  leaveGuard = null;
  navigate(loginUrlFor(window.location), {replace: true});
});

// Links inside the app change the page without reloading it.
document.addEventListener('click', (event) => {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey ||
      event.altKey) {
    return;
  }
  const link = (event.target as Element | null)?.closest?.('a');
  if (!link || link.target || link.hasAttribute('download')) return;
  if (!isAppPage(link.href)) return;
  const url = new URL(link.href, window.location.href);
  event.preventDefault();
  navigate(url.pathname + url.search + url.hash);
});

// Back/forward: the page for the new location. A guarded page gets the chance to stay (we go forward again).
window.addEventListener('popstate', () => {
  if (ignoreNextPop) {
    ignoreNextPop = false;
    return;
  }
  if (leaveGuard && !confirmLeave()) {
    ignoreNextPop = true;
    history.go(1);
    return;
  }
  render();
});

window.addEventListener('beforeunload', (event) => {
  if (leaveGuard?.()) event.preventDefault();
});

render();
