// Builds the admin web app into one folder that `thumbgen serve` serves under /admin/.
//
//   node web/admin/build.mjs --wasm <dir with thumbgen.mjs, thumbgen_wasm.mjs, thumbgen_wasm.wasm> --out <build>/admin
//
// Output: index.html (no inline script or style: the CSP is script-src 'self' 'wasm-unsafe-eval'; style-src 'self')
// and assets/<name>-<hash>.<ext> for every other file, so the server can cache them forever. The bundles learn the
// final URLs of the worker bundles and the WASM files through `__ADMIN_ASSETS__` (see src/asset_urls.ts).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import * as esbuild from 'esbuild';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const URL_BASE = '/admin/assets/';

// Module Web Workers: each is bundled on its own and its URL reaches the page as __ADMIN_ASSETS__.workers[<name>]
// (name = file name without .ts). Add new worker entry points here.
const WORKER_ENTRIES = ['src/render_worker.ts', 'src/lease_worker.ts'];

// The WASM render core, copied under hashed names. The references between these files are plain relative names
// (thumbgen.mjs imports ./thumbgen_wasm.mjs, which fetches thumbgen_wasm.wasm relative to itself): each copy gets
// the hashed names of the files it refers to, so the chain stays consistent and cacheable.
const WASM_FILES = [
  {name: 'thumbgen_wasm.wasm', key: 'thumbgenWasm', refersTo: []},
  {name: 'thumbgen_wasm.mjs', key: 'thumbgenWasmModule', refersTo: ['thumbgen_wasm.wasm']},
  {name: 'thumbgen.mjs', key: 'thumbgen', refersTo: ['thumbgen_wasm.mjs']},
];

function parseArgs(argv) {
  const args = {wasm: null, out: null, minify: true};
  for (let i = 0; i < argv.length; ++i) {
    const arg = argv[i];
    if (arg === '--wasm') args.wasm = argv[++i];
    else if (arg === '--out') args.out = argv[++i];
    else if (arg === '--no-minify') args.minify = false;
    else throw new Error(`unknown argument ${arg}`);
  }
  if (!args.wasm || !args.out) {
    throw new Error('usage: node web/admin/build.mjs --wasm <dir with thumbgen_wasm.mjs/.wasm, thumbgen.mjs> --out <dir>');
  }
  return args;
}

function contentHash(bytes) {
  return crypto.createHash('sha256').update(bytes).digest('hex').slice(0, 12).toUpperCase();
}

function hashedName(file, bytes) {
  const ext = path.extname(file);
  return `${path.basename(file, ext)}-${contentHash(bytes)}${ext}`;
}

// Copies the WASM core with hashed names, rewriting each file's references to the hashed names of the others.
function copyWasmFiles(wasmDir, assetsDir) {
  const finalNames = new Map();
  const urls = {};
  for (const {name, key, refersTo} of WASM_FILES) {
    const source = path.join(wasmDir, name);
    if (!fs.existsSync(source)) throw new Error(`${source} is missing (build it first: make web)`);
    let bytes = fs.readFileSync(source);
    if (refersTo.length > 0) {
      let text = bytes.toString('utf8');
      for (const target of refersTo) {
        const before = text;
        // Only quoted occurrences ('./x', "x"): the import specifier and the emscripten file name.
        text = text.replace(new RegExp(`(['"])(\\./)?${target.replace(/\./g, '\\.')}\\1`, 'g'),
                            (_all, quote) => `${quote}./${finalNames.get(target)}${quote}`);
        if (text === before) throw new Error(`${source} no longer refers to ${target}: update WASM_FILES in build.mjs`);
      }
      bytes = Buffer.from(text, 'utf8');
    }
    const finalName = hashedName(name, bytes);
    fs.writeFileSync(path.join(assetsDir, finalName), bytes);
    finalNames.set(name, finalName);
    urls[key] = URL_BASE + finalName;
  }
  return urls;
}

// Bundles entry points to assets/<name>-<hash>.js (and .css for imported CSS); returns the metafile outputs.
async function bundle(entryPoints, assetsDir, define, minify) {
  const result = await esbuild.build({
    entryPoints,
    absWorkingDir: HERE,
    outdir: assetsDir,
    entryNames: '[name]-[hash]',
    assetNames: '[name]-[hash]',
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome115', 'firefox115', 'safari17'],
    minify,
    sourcemap: 'linked',
    metafile: true,
    define,
    logLevel: 'warning',
    legalComments: 'none',
  });
  return result.metafile.outputs;
}

function outputFor(outputs, entry) {
  const wanted = path.relative(process.cwd(), entry).split(path.sep).join('/');
  for (const [file, info] of Object.entries(outputs)) {
    if (info.entryPoint === wanted) return {js: file, css: info.cssBundle ?? null};
  }
  throw new Error(`esbuild produced no output for ${entry}`);
}

function indexHtml(scriptUrl, cssUrl) {
  const css = cssUrl ? `\n<link rel="stylesheet" href="${cssUrl}">` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>thumbgen administration</title>
<link rel="icon" href="data:,">${css}
<script type="module" src="${scriptUrl}"></script>
</head>
<body>
<div id="app"><noscript>The thumbgen administration needs JavaScript.</noscript></div>
</body>
</html>
`;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const outDir = path.resolve(args.out);
  const assetsDir = path.join(outDir, 'assets');
  fs.rmSync(outDir, {recursive: true, force: true});
  fs.mkdirSync(assetsDir, {recursive: true});
  const cwd = process.cwd();
  process.chdir(HERE);  // esbuild's metafile names entry points relative to the working directory
  try {
    const assets = {...copyWasmFiles(path.resolve(cwd, args.wasm), assetsDir), workers: {}};
    const publicUrl = (file) => URL_BASE + path.relative(assetsDir, path.resolve(file)).split(path.sep).join('/');

    // Workers first: the page bundle needs their final (hashed) URLs.
    if (WORKER_ENTRIES.length > 0) {
      const outputs = await bundle(WORKER_ENTRIES, assetsDir, {__ADMIN_ASSETS__: JSON.stringify(assets)}, args.minify);
      for (const entry of WORKER_ENTRIES) {
        assets.workers[path.basename(entry, '.ts')] = publicUrl(outputFor(outputs, entry).js);
      }
    }
    const pageEntry = 'src/main.ts';
    const outputs = await bundle([pageEntry], assetsDir, {__ADMIN_ASSETS__: JSON.stringify(assets)}, args.minify);
    const page = outputFor(outputs, pageEntry);
    fs.writeFileSync(path.join(outDir, 'index.html'), indexHtml(publicUrl(page.js), page.css && publicUrl(page.css)));
    const files = fs.readdirSync(assetsDir).length;
    console.log(`admin build: ok (${outDir}: index.html + ${files} files in assets/)`);
  } finally {
    process.chdir(cwd);
  }
}

main().catch((error) => {
  console.error(`admin build: FAILED: ${error.message}`);
  process.exit(1);
});
