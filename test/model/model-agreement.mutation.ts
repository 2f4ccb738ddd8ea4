import fc from 'fast-check';
import { describe, it } from 'vitest';
import { agreementProperty } from './harness.js';

// model-based.test.ts with fewer runs and a fixed seed, for mutation runs only (vitest.mutation.config.ts):
// each mutant is tried against the same sequences, so a rerun gives the same verdict.
const runs = Number(process.env.MODEL_RUNS ?? 150);
const seed = Number(process.env.MODEL_SEED ?? 0x16_2026);

describe('the real manager agrees with the reference model (mutation sample)', () => {
  it(`on ${runs} random command sequences of up to 60 commands (seed ${seed})`, async () => {
    await fc.assert(agreementProperty({ maxCommands: 60 }), { numRuns: runs, seed });
  });
});
