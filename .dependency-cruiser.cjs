/**
 * Dependency rules of the architecture: the domain is pure, apps are thin mains, adapters know
 * their port and nothing of each other. Run with `npm run boundaries`.
 */
const ADAPTER_LIBS = 'libs/(event-store|messaging|sms-gateway|read-models|imports)/';

module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'libs/domain holds the rules: no Nest, no adapter, no other lib, no I/O package.',
      severity: 'error',
      from: { path: '^libs/domain/' },
      to: { pathNot: '^(libs/domain/|node_modules/(libphonenumber-js|date-fns|date-fns-tz|date-holidays)/)', dependencyTypesNot: ['core'] },
    },
    {
      name: 'domain-no-node-io',
      severity: 'error',
      from: { path: '^libs/domain/' },
      to: { dependencyTypes: ['core'], path: '^(fs|net|http|https|child_process|dgram|worker_threads)$' },
    },
    {
      name: 'apps-do-not-import-apps',
      severity: 'error',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'libs-do-not-import-apps',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'only-the-application-composes',
      comment: 'Adapters and the domain never reach up into the application layer.',
      severity: 'error',
      from: { path: '^libs/', pathNot: '^libs/application/' },
      to: { path: '^libs/application/' },
    },
    {
      name: 'adapters-do-not-import-adapters',
      comment: 'An adapter lib imports its own port, the domain and platform helpers, never another adapter lib.',
      severity: 'error',
      from: { path: '^libs/(event-store|messaging|sms-gateway|imports)/' },
      to: { path: `^${ADAPTER_LIBS}`, pathNot: '^libs/$1/' },
    },
    {
      name: 'read-models-only-know-events',
      comment: 'Read models consume recorded events and the projection interface, nothing of transports or gateways.',
      severity: 'error',
      from: { path: '^libs/read-models/' },
      to: { path: '^libs/(messaging|sms-gateway|imports)/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^dist/|\\.d\\.ts$)' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    combinedDependencies: false,
  },
};
