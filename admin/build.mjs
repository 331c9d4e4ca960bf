#!/usr/bin/env node
// Builds the admin page (admin/src) into admin/dist: one ES module bundle,
// its stylesheet and the page that loads them, all served by the package
// itself (src/http/routes/admin.ts), so nothing is fetched from a CDN.
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const here = new URL('.', import.meta.url).pathname;
const out = `${here}dist`;
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({
  entryPoints: { admin: `${here}src/main.tsx` },
  outdir: out,
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  jsx: 'automatic',
  jsxImportSource: 'preact',
  legalComments: 'none',
  logLevel: 'warning',
});
for (const page of ['index.html', 'docs.html']) copyFileSync(`${here}src/${page}`, `${out}/${page}`);
