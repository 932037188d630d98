import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { DomainError } from '@sms/domain';
import { previewValue } from './value-preview';
import { loneSurrogateRule } from './well-formed-text';

/**
 * Maximum nesting of objects and arrays in a body or query. The deepest DTO here (a target's
 * layout values) uses 3 levels, so 32 leaves room while keeping the recursive walks of
 * class-transformer and ValidationPipe far from the stack limit.
 */
export const MAX_NESTING_DEPTH = 32;

/** Keys that reach Object.prototype when a parsed body is merged or copied by assignment. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

const NUL_RULE = 'must not contain the NUL character (U+0000)';

/**
 * Rejects input that DTO validation cannot see or would turn into a 500, so it runs before the
 * ValidationPipe. It rejects U+0000 in any string or key, because PostgreSQL text and jsonb reject
 * it. It rejects a lone UTF-16 surrogate in any string or key, because PostgreSQL rejects it in
 * jsonb and UTF-8 encoding would replace it with U+FFFD elsewhere. It rejects nesting deeper than
 * MAX_NESTING_DEPTH, because ValidationPipe recurses once per level and overflows the stack. It
 * also rejects prototype keys, repeated query parameters, and bodies that are not JSON objects.
 * Of several faults, it reports the first in document order.
 */
@Injectable()
export class SafeInputPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'body') {
      checkBody(value, metadata.data ?? '');
    } else if (metadata.type === 'query') {
      checkQuery(value, metadata.data);
    } else if (metadata.type === 'param') {
      inspect(value, metadata.data ?? '', 'path parameter');
    }
    return value;
  }
}

function checkBody(value: unknown, path: string): void {
  // `undefined` is a request without a body. ValidationPipe then lists the missing fields.
  const isWholeBody = path === '';
  if (isWholeBody && value !== undefined && !isJsonObject(value)) {
    throw rejection('REQUEST.INVALID_BODY', 'the', 'body', value, 'must be a JSON object');
  }
  inspect(value, path, 'body field');
}

/** Express parses `?a=1&a=2` into an array, which every query DTO and reader here would mishandle. */
function checkQuery(value: unknown, name: string | undefined): void {
  let parameters: Record<string, unknown> = {};
  if (name !== undefined) {
    parameters = { [name]: value };
  } else if (isJsonObject(value)) {
    parameters = value;
  }
  for (const [parameter, given] of Object.entries(parameters)) {
    if (Array.isArray(given)) {
      throw rejection('REQUEST.REPEATED_PARAMETER', 'query parameter', parameter, given, 'must be given once');
    }
  }
  inspect(value, name ?? '', 'query parameter');
}

interface PendingValue {
  readonly value: unknown;
  readonly path: string;
  /** The key of this value in the enclosing object or array, or undefined for the root. */
  readonly key?: string;
  /** Objects and arrays around this value. */
  readonly enclosingContainers: number;
}

/**
 * Walks the value with an explicit stack, never recursion, so a hostile nesting depth cannot
 * overflow the call stack before the depth check fails.
 */
function inspect(root: unknown, rootPath: string, location: string): void {
  const pending: PendingValue[] = [{ value: root, path: rootPath, enclosingContainers: 0 }];
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    const { value, path, key, enclosingContainers } = item;
    if (key !== undefined) {
      checkKey(key, path, location);
    }
    if (typeof value === 'string') {
      checkText(value, path, location);
      continue;
    }
    if (typeof value !== 'object' || value === null) {
      continue;
    }

    const depth = enclosingContainers + 1;
    if (depth > MAX_NESTING_DEPTH) {
      throw tooDeep(location, path);
    }
    // Object.keys lists the own `__proto__` key that JSON.parse creates. A `key in value` test cannot
    // tell it apart, because every object inherits `__proto__`. The keys go on the stack last
    // first, so that they come off it in document order.
    const children: PendingValue[] = Object.keys(value).map((childKey) => ({
      value: (value as Record<string, unknown>)[childKey],
      path: childPath(path, childKey, Array.isArray(value)),
      key: childKey,
      enclosingContainers: depth,
    }));
    pending.push(...children.reverse());
  }
}

/** Names an item as the DTO errors do: `layout.values.firstName`, `tags[1]`. */
function childPath(path: string, key: string, isArrayItem: boolean): string {
  if (isArrayItem) {
    return `${path}[${key}]`;
  }
  return path === '' ? key : `${path}.${key}`;
}

function checkText(text: string, path: string, location: string): void {
  if (text.includes('\u0000')) {
    throw rejection('REQUEST.NUL_CHARACTER', location, path, text, NUL_RULE);
  }
  const surrogateRule = loneSurrogateRule(text);
  if (surrogateRule !== undefined) {
    throw rejection('REQUEST.INVALID_UNICODE', location, path, text, surrogateRule);
  }
}

function checkKey(key: string, keyPath: string, location: string): void {
  checkText(key, keyPath, location);
  if (PROTOTYPE_KEYS.has(key)) {
    // Worded like ValidationPipe's message for an unknown property.
    const rule = `property ${key} should not exist`;
    throw new DomainError('REQUEST.INVALID', 'INVALID', `property ${keyPath} should not exist`, [{ field: keyPath, rule }]);
  }
}

/** Builds the REQUEST.TOO_DEEP error, leaving out the value because it is the oversized structure itself. */
function tooDeep(location: string, path: string): DomainError {
  const rule = `must not nest objects and arrays deeper than ${MAX_NESTING_DEPTH} levels`;
  return new DomainError('REQUEST.TOO_DEEP', 'INVALID', `${location} ${path} ${rule}`, [{ field: path, rule }]);
}

function rejection(code: string, location: string, field: string, value: unknown, rule: string): DomainError {
  return new DomainError(code, 'INVALID', `${location} ${field} ${previewValue(value)} ${rule}`, [{ field, value, rule }]);
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
