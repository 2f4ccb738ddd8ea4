// Worker threads on Node 20 do not inherit tsx's loader: register it, then load the TypeScript tasks.
import { register } from 'tsx/esm/api';

register();
await import('./inspector-demo.tasks.ts');
