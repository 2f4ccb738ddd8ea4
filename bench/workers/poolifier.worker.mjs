// Raw poolifier's worker module: the shared work as named task functions (data: {} or { ms }).
import { ThreadWorker } from 'poolifier';
import { noop, spin } from './work.mjs';

export default new ThreadWorker({
  noop: () => noop(),
  spin: (data) => spin(data.ms),
});
