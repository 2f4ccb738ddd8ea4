// `npm test`: the lint (`npm run lint`) and every test (`vitest run --coverage`) at once, failing if
// either fails. Run one after the other they took about 2 minutes on 2 cores; the lint's
// single-threaded steps fill the time the test files spend waiting on Redis, a browser or a child
// process. The tests' output streams as they run; the lint's comes as one block once it has ended.
import { spawn } from 'node:child_process';

/** Runs `npm run <script>`; resolves with its exit code and, when `quiet`, what it printed. */
function npmRun(script, args, quiet) {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', script, '--', ...args], {
      stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    });
    let output = '';
    if (quiet) {
      child.stdout.setEncoding('utf8').on('data', (chunk) => (output += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk) => (output += chunk));
    }
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? (signal === null ? 1 : 128), output }));
  });
}

const lint = npmRun('lint', [], true).then((result) => {
  process.stdout.write(`\n--- lint (tsc, ESLint, Prettier, knip): ${result.code === 0 ? 'passed' : 'FAILED'}\n`);
  process.stdout.write(result.output);
  return result.code;
});
const tests = npmRun('test:run', ['--coverage'], false).then((result) => result.code);
const [lintCode, testsCode] = await Promise.all([lint, tests]);
if (lintCode !== 0) console.error('npm test: the lint failed (its output is above)');
process.exitCode = lintCode || testsCode;
