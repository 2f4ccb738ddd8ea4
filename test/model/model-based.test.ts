import fc from 'fast-check';
import { describe, it } from 'vitest';
import { agreementProperty } from './harness.js';

// Longer runs: npm run test:model -- --runs 100000 (a failure prints its seed and path to replay).
describe('the real manager agrees with the reference model', () => {
  it('on 2,000 random command sequences of up to 60 commands, reentrant listeners included', async () => {
    await fc.assert(agreementProperty({ maxCommands: 60 }), { numRuns: 2000 });
  });
});
