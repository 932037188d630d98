import type { OpenAPIObject } from '@nestjs/swagger';

type Operation = NonNullable<OpenAPIObject['paths'][string]['get']>;

const WRITE_METHODS = new Set(['post', 'put', 'patch', 'delete']);

const ERROR_SCHEMA = {
  type: 'object',
  required: ['statusCode', 'code', 'message'],
  properties: {
    statusCode: { type: 'integer', example: 400 },
    code: { type: 'string', example: 'TARGET.INVALID_PHONE_NUMBER', description: 'Stable across releases' },
    message: { type: 'string', example: "phoneNumber '0612' is not a valid number for FR" },
    details: {
      type: 'array',
      description: 'One entry per invalid field',
      items: {
        type: 'object',
        properties: { field: { type: 'string' }, value: {}, rule: { type: 'string' } },
      },
    },
  },
};

/**
 * Adds to every operation what the API's conventions make true of all of them and the route
 * decorators do not say: the error responses with their body, the `If-Match` header on calls that
 * change a resource, and the `ETag` header on single resources.
 */
export function describeConventions(document: OpenAPIObject): OpenAPIObject {
  document.components = { ...document.components, schemas: { ...document.components?.schemas, Error: ERROR_SCHEMA } };
  for (const [path, item] of Object.entries(document.paths)) {
    const hasId = path.includes('{');
    for (const method of ['get', 'post', 'put', 'patch', 'delete'] as const) {
      const operation = item[method];
      if (operation === undefined) continue;
      const errors = errorStatuses(path, method, operation, hasId);
      for (const [status, description] of errors) {
        operation.responses[status] ??= {
          description,
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        };
      }
      if (WRITE_METHODS.has(method) && hasId) {
        operation.parameters = [
          ...(operation.parameters ?? []),
          {
            name: 'If-Match',
            in: 'header',
            required: false,
            description: 'ETag of the resource as last read ("3"), or *; a revision that moved on gives 412',
            schema: { type: 'string' },
          },
        ];
      }
      if (method === 'get' && hasId) {
        for (const [status, body] of Object.entries(operation.responses)) {
          if (status.startsWith('2') && body !== undefined && 'description' in body) {
            body.headers = {
              ...body.headers,
              ETag: { description: 'Stream revision of the resource, for If-Match', schema: { type: 'string' } },
            };
          }
        }
      }
    }
  }
  return document;
}

function errorStatuses(path: string, method: string, operation: Operation, hasId: boolean): Array<[string, string]> {
  if (path === '/health') {
    return [['503', 'An adapter does not answer']];
  }
  const statuses: Array<[string, string]> = [
    ['400', 'Invalid input: details name each field, its value and the rule'],
    ['401', 'Missing or invalid bearer token'],
    ['403', 'The token holds no role, or profile, that allows this call'],
  ];
  if (hasId) statuses.push(['404', 'Unknown id']);
  if (WRITE_METHODS.has(method)) {
    statuses.push(['409', 'The resource is in a state that forbids the change']);
    if (hasId) statuses.push(['412', 'If-Match revision mismatch']);
  }
  if (operation.requestBody !== undefined) {
    statuses.push(['413', 'Body too large'], ['415', 'Unsupported body media type']);
  }
  return statuses;
}
