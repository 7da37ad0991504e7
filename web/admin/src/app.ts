// What every page gets from the shell (main.ts), and what every page module exports.

export interface NavigateOptions {
  replace?: boolean;  // replace the history entry instead of adding one
}

export interface AppContext {
  // The location this page was mounted for (path + query); read the page's state from here.
  readonly url: URL;
  // The logged-in user's name (from the token), null on the login page before logging in.
  readonly username: string | null;
  // Goes to another admin path (e.g. '/admin/thumbnails/generate/?selection=abc'): unmounts this page and mounts
  // that one. A query-only target ('?page=2') stays on this path.
  navigate(target: string, options?: NavigateOptions): void;
  // Writes the page's state into the URL's query without remounting (replace by default; push adds a history entry,
  // and Back then remounts the page with the older query).
  setQuery(params: URLSearchParams, options?: {push?: boolean}): void;
  setTitle(title: string): void;
  // While a guard is set, leaving the page (a link, Back, closing the tab) asks the user first with its message
  // (return null to let go). The generator sets one while a run is going. Cleared on unmount.
  setLeaveGuard(guard: (() => string | null) | null): void;
}

// A page: mount draws it into `root` and returns the function that stops it (timers, requests, workers).
export interface PageModule {
  mount(root: HTMLElement, app: AppContext): () => void;
}

export const PATHS = {
  login: '/admin/login/',
  assets: '/admin/icosa/asset/',
  generator: '/admin/thumbnails/generate/',
} as const;

// A page of this app on this origin (never another site, a protocol-relative URL or a hashed build file): the only
// places the app navigates to, from a link or a login's `next`.
export function isAppPage(target: string, base: string = window.location.href): boolean {
  let url: URL;
  try {
    url = new URL(target, base);
  } catch {
    return false;
  }
  return url.origin === new URL(base).origin && url.pathname.startsWith('/admin/') &&
      !url.pathname.startsWith('/admin/assets/');
}

export const PRODUCT_NAME = 'thumbgen administration';
