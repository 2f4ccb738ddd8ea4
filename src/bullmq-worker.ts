#!/usr/bin/env node
// The `background-task-manager-worker` command; what it does is in worker-command.ts, where it is tested.
import { runWorkerCommand } from './workers/remote/worker-command.js';

await runWorkerCommand(process.argv.slice(2));
