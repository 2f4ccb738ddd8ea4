/**
 * Builds the inspector page into `dist/inspector/page/`: `app.js` (the page's
 * TypeScript bundled into one script, so that no relative import has to carry
 * the token), `style.css`, `favicon.svg` and `index.html`. Nothing comes from a CDN and
 * nothing is vendored: the page is plain DOM and SVG written here.
 *
 * Run by `npm run build`; the browser tests call {@link buildPage} themselves.
 */
import { build } from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const source = join(root, 'src/inspector/page');

/** Where the inspector server reads the page from. */
export const pageOutDir = join(root, 'dist/inspector/page');

/** Bundles and copies the page into `outDir`. */
export async function buildPage(outDir: string = pageOutDir): Promise<void> {
  await mkdir(outDir, { recursive: true });
  await build({
    entryPoints: [join(source, 'main.ts')],
    outfile: join(outDir, 'app.js'),
    bundle: true,
    format: 'iife',
    target: 'es2022',
    platform: 'browser',
    tsconfig: join(source, 'tsconfig.json'),
    logLevel: 'warning',
  });
  await Promise.all(
    ['index.html', 'style.css', 'favicon.svg'].map((file) => copyFile(join(source, file), join(outDir, file))),
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildPage();
