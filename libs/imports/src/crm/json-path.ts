/**
 * Returns the value at a dot-separated path of own properties (`data.contacts`, `address.city`),
 * or undefined when a step is missing or is not an object. The empty path is the value itself.
 * Array elements are reached with their index (`phones.0`).
 */
export function valueAtPath(value: unknown, path: string): unknown {
  if (path === '') {
    return value;
  }
  let current = value;
  for (const step of path.split('.')) {
    if (typeof current !== 'object' || current === null || !Object.prototype.hasOwnProperty.call(current, step)) {
      return undefined;
    }
    current = (current as Record<string, unknown>)[step];
  }
  return current;
}
