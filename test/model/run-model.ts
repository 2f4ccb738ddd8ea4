/**
 * Long runs of the model-based test, outside vitest:
 *   npm run test:model -- --runs 100000 [--max-commands 60] [--seed N --path P]
 * A failure prints the seed, the path and the shrunk command list; pass the
 * seed and path back to replay exactly that counterexample.
 */
import fc from 'fast-check';
import { parseArgs } from 'node:util';
import { agreementProperty } from './harness.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '10000' },
    'max-commands': { type: 'string', default: '60' },
    seed: { type: 'string' },
    path: { type: 'string' },
  },
});
const runs = Number(values.runs);
const maxCommands = Number(values['max-commands']);
const started = performance.now();
await fc.assert(agreementProperty({ maxCommands }), {
  numRuns: runs,
  ...(values.seed === undefined ? {} : { seed: Number(values.seed) }),
  ...(values.path === undefined ? {} : { path: values.path }),
});
const seconds = ((performance.now() - started) / 1000).toFixed(1);
console.log(
  `${runs} passed, 0 failed: the manager agreed with the model on ${runs} runs of up to ${maxCommands} commands (${seconds} s)`,
);
