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
