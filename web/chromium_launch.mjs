// How every browser test and bench launches Debian's Chromium through playwright-core (never `playwright install`):
// headless, no GPU (WebGL2 through SwiftShader), nothing phoning home. No imports, so both web/'s tests and the
// admin tests (each with its own node_modules) can share it.
export const CHROMIUM_LAUNCH_OPTIONS = {
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync', '--enable-unsafe-swiftshader'],
};
