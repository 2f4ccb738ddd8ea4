/**
 * Why `value` would not arrive unchanged through JSON, or `undefined` if it
 * would: only `null`, booleans, strings, finite numbers, arrays without
 * holes and plain objects of those travel. Named: a `BigInt`, a `Map`, a
 * `Date`, a class instance, `undefined` inside an object or array, `NaN`
 * or `±Infinity`, a function, a symbol, a cycle. `path` names where
 * (`$` for the value itself, `$.a[2]` inside it). O(size of the value).
 */
export function jsonTravelProblem(value: unknown, path = '$'): string | undefined {
  return problemAt(value, path, new Set());
}

function problemAt(value: unknown, path: string, seen: Set<object>): string | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : `${path} is ${value}`;
  if (typeof value !== 'object')
    return `${path} is ${typeof value === 'undefined' ? 'undefined' : `a ${typeof value}`}`;
  if (seen.has(value)) return `${path} refers back to an object that contains it`;
  seen.add(value);
  const problem = Array.isArray(value) ? arrayProblem(value, path, seen) : objectProblem(value, path, seen);
  seen.delete(value);
  return problem;
}

function arrayProblem(array: readonly unknown[], path: string, seen: Set<object>): string | undefined {
  for (let index = 0; index < array.length; index++) {
    if (!(index in array)) return `${path}[${index}] is a hole`;
    const problem = problemAt(array[index], `${path}[${index}]`, seen);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function objectProblem(object: object, path: string, seen: Set<object>): string | undefined {
  const prototype = Object.getPrototypeOf(object) as unknown;
  if (prototype !== Object.prototype && prototype !== null) {
    const name = (object.constructor as { name?: unknown } | undefined)?.name;
    return `${path} is ${typeof name === 'string' && name !== '' ? `a ${name}` : 'not a plain object'}`;
  }
  if (Object.getOwnPropertySymbols(object).length > 0) return `${path} has symbol keys`;
  for (const [key, entry] of Object.entries(object)) {
    const problem = problemAt(entry, `${path}.${key}`, seen);
    if (problem !== undefined) return problem;
  }
  return undefined;
}
