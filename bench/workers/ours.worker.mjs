// Worker threads on Node 20 do not inherit tsx's loader: register it here, then load the TypeScript module.
import { register } from 'tsx/esm/api';

register();
await import('./ours.worker.ts');
