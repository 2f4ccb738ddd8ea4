import { safeString } from '../core/values.js';
/** What a value passed to `sanitize` is. */
export type SanitizeKind = 'args' | 'kwargs' | 'result' | 'error';

/**
 * Turns a value into what may leave the process: JSON-safe, small. Gets
 * a task's `args`, `kwargs`, `result`, and a failure as `{ message, traceback }`.
 */
export type Sanitizer = (value: unknown, kind: SanitizeKind) => unknown;

/** The limits of {@link defaultSanitize}. */
export const SANITIZE_LIMITS = Object.freeze({
  /** Nesting below this depth shows as `[Object]` / `[Array(n)]`. */
  depth: 4,
  /** Characters of a string kept; the rest is cut with a note of how many. */
  stringLength: 2000,
  /** Items of an array, or keys of an object, kept. */
  entries: 50,
  /** Values visited in all; beyond it, `[…]`. */
  nodes: 1000,
});

interface Budget {
  nodes: number;
  readonly seen: Set<object>;
}

/**
 * The default `sanitize`: any value to a JSON-safe copy with its depth,
 * string lengths, entries and total size capped (see {@link SANITIZE_LIMITS});
 * functions, symbols, bigints and class instances are described, cycles cut.
 * It never throws: a getter that throws shows as `[unreadable]`. It treats
 * every kind alike.
 */
export function defaultSanitize(value: unknown): unknown {
  return copy(value, 0, { nodes: SANITIZE_LIMITS.nodes, seen: new Set() });
}

function copy(value: unknown, depth: number, budget: Budget): unknown {
  if (--budget.nodes < 0) return '[…]';
  switch (typeof value) {
    case 'string':
      return cut(value);
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'boolean':
      return value;
    case 'undefined':
      return '[undefined]';
    case 'bigint':
      return `${value}n`;
    case 'symbol':
      return cut(value.toString());
    case 'function':
      return `[Function ${value.name === '' ? 'anonymous' : cut(value.name)}]`;
    default:
      return value === null ? null : copyObject(value as object, depth, budget); // typeof value is 'object'
  }
}

function copyObject(value: object, depth: number, budget: Budget): unknown {
  if (budget.seen.has(value)) return '[Circular]';
  if (value instanceof Error) {
    return { name: errorText(value, 'name'), message: errorText(value, 'message'), stack: errorText(value, 'stack') };
  }
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '[Invalid Date]' : value.toISOString();
  if (Array.isArray(value)) {
    if (depth >= SANITIZE_LIMITS.depth) return `[Array(${value.length})]`;
    return withSeen(value, budget, () => copyArray(value, depth, budget));
  }
  const prototype = Object.getPrototypeOf(value) as unknown;
  const plain = prototype === Object.prototype || prototype === null;
  const label = plain ? 'Object' : constructorName(value);
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return `[${label} ${byteLength(value)} bytes]`;
  if (value instanceof Map || value instanceof Set) return `[${label}(${value.size})]`;
  if (depth >= SANITIZE_LIMITS.depth) return `[${label}]`;
  return withSeen(value, budget, () => copyEntries(value, label, plain, depth, budget));
}

function withSeen<T>(value: object, budget: Budget, run: () => T): T {
  budget.seen.add(value);
  try {
    return run();
  } finally {
    budget.seen.delete(value);
  }
}

function copyArray(value: readonly unknown[], depth: number, budget: Budget): unknown[] {
  const kept = Math.min(value.length, SANITIZE_LIMITS.entries);
  const out: unknown[] = [];
  for (let i = 0; i < kept; i++) {
    let item: unknown;
    try {
      item = value[i];
    } catch {
      out.push('[unreadable]');
      continue;
    }
    out.push(copy(item, depth + 1, budget));
  }
  if (value.length > kept) out.push(`[… ${value.length - kept} more]`);
  return out;
}

function copyEntries(
  value: object,
  label: string,
  plain: boolean,
  depth: number,
  budget: Budget,
): Record<string, unknown> {
  const out: Record<string, unknown> = plain ? {} : { '[class]': label };
  const keys = Object.keys(value);
  const kept = Math.min(keys.length, SANITIZE_LIMITS.entries);
  for (let i = 0; i < kept; i++) {
    const key = keys[i] as string;
    let item: unknown;
    try {
      item = (value as Record<string, unknown>)[key];
    } catch {
      out[cut(key)] = '[unreadable]';
      continue;
    }
    out[cut(key)] = copy(item, depth + 1, budget);
  }
  if (keys.length > kept) out['[…]'] = `${keys.length - kept} more keys`;
  return out;
}

/** An error's name, message or stack as text: `''` when absent, whatever else it was set to as a string. */
function errorText(error: Error, key: 'name' | 'message' | 'stack'): string {
  try {
    const text: unknown = error[key];
    return cut(text === undefined ? '' : typeof text === 'string' ? text : safeString(text));
  } catch {
    return '[unreadable]';
  }
}

function constructorName(value: object): string {
  try {
    const name = (value.constructor as { name?: unknown } | undefined)?.name;
    return typeof name === 'string' && name !== '' ? cut(name) : 'Object';
  } catch {
    return 'Object';
  }
}

function byteLength(value: ArrayBufferView | ArrayBuffer): number {
  return value.byteLength;
}

function cut(text: string): string {
  const max = SANITIZE_LIMITS.stringLength;
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}
