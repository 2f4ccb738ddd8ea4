/** Describes a value for an error message: `0 (number)`, `"x" (string)`, `null`. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return `${JSON.stringify(value)} (string)`;
    case 'number':
    case 'boolean':
    case 'bigint':
      return `${String(value)} (${typeof value})`;
    case 'undefined':
      return 'undefined';
    case 'function':
      return 'a function';
    default:
      return `${Object.prototype.toString.call(value)} (${typeof value})`;
  }
}

/** `String(value)`, or the object's tag where `String()` throws. */
export function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    // e.g. an object with a null prototype: String() throws on it.
    return Object.prototype.toString.call(value);
  }
}

/** Whether a callable's result is to be awaited: anything with a `then` method, as `await` treats it. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * The name in `names` closest to `name` by edit distance, when it is close
 * enough to be a slip of the keyboard (at most a third of its length, and
 * at least one edit allowed); otherwise `undefined`.
 */
export function closestName(name: string, names: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(name.length / 3)) + 1;
  for (const candidate of names) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Levenshtein distance: insertions, deletions and substitutions. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/**
 * Sets `counts` (a copy) as the own entry `key` of `record`, added state by
 * state to the entry already there: groups whose names print alike (`1` and
 * `'1'`) share one entry, and neither hides the other. Defined, not
 * assigned: a group named `"__proto__"` is an entry like any other.
 */
export function addCountsEntry<Counts extends object>(
  record: Record<string, Counts>,
  key: string,
  counts: Counts,
): void {
  const value: Record<string, number> = { ...(counts as Record<string, number>) };
  const same = Object.hasOwn(record, key) ? (record[key] as Record<string, number>) : undefined;
  if (same !== undefined)
    for (const state of Object.keys(value)) value[state] = (value[state] ?? 0) + (same[state] ?? 0);
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}
