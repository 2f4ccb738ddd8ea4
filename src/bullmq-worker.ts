#!/usr/bin/env node
import { runCli } from './workers/remote/worker-cli.js';

try {
  await runCli(process.argv.slice(2));
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 2;
}
