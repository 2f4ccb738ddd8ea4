// Running from source (node --import tsx examples/asset-browser/main.ts, as the tests do): worker
// threads on Node 20 do not inherit tsx's loader, so register it here, then load the TypeScript module.
import { register } from 'tsx/esm/api';

register();
await import('./tasks.worker.ts');
