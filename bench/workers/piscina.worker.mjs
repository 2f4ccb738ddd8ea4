// Piscina's worker module: the shared work as named exports (run with `{ name }`; data: {} or { ms }).
import { noop as noopWork, spin as spinWork } from './work.mjs';

export function noop() {
  return noopWork();
}

export function spin(data) {
  return spinWork(data.ms);
}

export default noop;
