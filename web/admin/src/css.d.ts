// esbuild bundles CSS imported from a module into the page's one stylesheet (see build.mjs).
declare module '*.css';
