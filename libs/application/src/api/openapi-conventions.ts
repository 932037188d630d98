import type { ContentObject, OpenAPIObject, ReferenceObject, SchemaObject } from '@nestjs/swagger';
import { RESPONSE_SCHEMAS, SUCCESS_RESPONSES } from './openapi-responses';

type Operation = NonNullable<OpenAPIObject['paths'][string]['get']>;
type Schemas = Record<string, SchemaObject | ReferenceObject>;

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
 * Adds to every operation what the route decorators leave out. That is the body of each success
 * response, from openapi-responses.ts, and the error responses with their body. It is also the
 * `If-Match` header of calls that change a resource, and the `ETag` header of the GET responses
 * whose body has a `revision`.
 *
 * @throws Error when a response schema has the name of a schema the decorators generated.
 */
export function describeConventions(document: OpenAPIObject): OpenAPIObject {
  const schemas = withResponseSchemas(document.components?.schemas ?? {});
  document.components = { ...document.components, schemas };
  for (const [path, item] of Object.entries(document.paths)) {
    const hasId = path.includes('{');
    for (const method of ['get', 'post', 'put', 'patch', 'delete'] as const) {
      const operation = item[method];
      if (operation === undefined) continue;
      describeSuccessResponses(operation, SUCCESS_RESPONSES[`${method.toUpperCase()} ${path}`] ?? {});
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
      if (method === 'get') {
        for (const [status, body] of Object.entries(operation.responses)) {
          if (status.startsWith('2') && body !== undefined && 'description' in body && hasRevision(body.content, schemas)) {
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

/**
 * Returns the schemas the decorators generated, with the response schemas and Error added. A name
 * used twice would hide one of its two schemas, so it is an error that stops the start.
 */
function withResponseSchemas(generated: Schemas): Schemas {
  const duplicates = Object.keys(RESPONSE_SCHEMAS).filter((name) => name in generated || name === 'Error');
  if (duplicates.length > 0) {
    throw new Error(
      `OpenAPI schema names ${duplicates.join(', ')} are used by both openapi-responses.ts and a decorated class: rename one of each pair`,
    );
  }
  return { ...generated, ...RESPONSE_SCHEMAS, Error: ERROR_SCHEMA };
}

/** Sets the body of each success response given, keeping a description that a route decorator wrote. */
function describeSuccessResponses(operation: Operation, responses: (typeof SUCCESS_RESPONSES)[string]): void {
  for (const [status, response] of Object.entries(responses)) {
    const current = operation.responses[status];
    const description = current !== undefined && 'description' in current && current.description !== '' ? current.description : undefined;
    operation.responses[status] = { ...current, ...response, description: description ?? response.description };
  }
}

/**
 * Tells whether a JSON body has a top-level `revision`, which RevisionEtagInterceptor sends back
 * as the ETag of a GET.
 */
function hasRevision(content: ContentObject | undefined, schemas: Schemas): boolean {
  let schema = content?.['application/json']?.schema;
  if (schema !== undefined && '$ref' in schema) {
    schema = schemas[schema.$ref.replace('#/components/schemas/', '')];
  }
  return schema !== undefined && 'properties' in schema && schema.properties !== undefined && 'revision' in schema.properties;
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
