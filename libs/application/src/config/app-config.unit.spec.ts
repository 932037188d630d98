import { loadConfig } from './app-config';

describe('loadConfig', () => {
  it('defaults to the embedded profile', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      PORT: 3000,
      HOST: '127.0.0.1',
      EVENT_STORE: 'embedded',
      TRANSPORT: 'in-process',
      SMS_GATEWAY: 'simulator',
    });
  });

  it('names the variable and the rule of an invalid value', () => {
    expect(() => loadConfig({ PORT: 'abc' })).toThrow(/PORT \('abc'\) Expected number/);
    expect(() => loadConfig({ TRANSPORT: 'kafka' })).toThrow(/TRANSPORT \('kafka'\)/);
  });

  it('requires DATABASE_URL for the postgres stores', () => {
    expect(() => loadConfig({ EVENT_STORE: 'postgres', READ_STORE: 'postgres' })).toThrow(
      /DATABASE_URL \(unset\) is required when EVENT_STORE or READ_STORE is postgres/,
    );
  });

  it('requires the KurrentDB and MongoDB URLs for their stores', () => {
    expect(() => loadConfig({ EVENT_STORE: 'kurrentdb', READ_STORE: 'mongodb' })).toThrow(
      /KURRENTDB_URL \(unset\) is required when EVENT_STORE is kurrentdb\n {2}MONGODB_URL \(unset\) is required when READ_STORE is mongodb/,
    );
  });

  it('accepts kurrentdb, esdb and mongodb URLs', () => {
    const config = loadConfig({
      EVENT_STORE: 'kurrentdb',
      READ_STORE: 'mongodb',
      KURRENTDB_URL: 'esdb://127.0.0.1:2113?tls=false',
      MONGODB_URL: 'mongodb://127.0.0.1:27017/sms',
    });

    expect(config).toMatchObject({ EVENT_STORE: 'kurrentdb', READ_STORE: 'mongodb', KURRENTDB_URL: 'esdb://127.0.0.1:2113?tls=false' });
  });

  it('masks the credentials of an invalid store URL', () => {
    const load = () =>
      loadConfig({
        READ_STORE: 'mongodb',
        EVENT_STORE: 'postgres',
        DATABASE_URL: 'postgres://x',
        MONGODB_URL: 'mongo://admin:s3cret@db:27017',
      });

    expect(load).toThrow(/MONGODB_URL \('mongo:\/\/\*\*\*@db:27017'\) must be a mongodb:\/\//);
    expect(load).not.toThrow(/s3cret/);
  });

  it('hides secrets in messages', () => {
    expect(() => loadConfig({ AUTH_JWT_SECRET: 'short' })).toThrow(/AUTH_JWT_SECRET \(\(hidden\)\) must be at least 32 characters/);
  });

  it('requires SMPP_URL in its documented form', () => {
    expect(() => loadConfig({ SMS_GATEWAY: 'smpp', SMPP_URL: 'localhost:2775' })).toThrow(/SMPP_URL .* must be smpp:\/\//);
  });

  it('reads import connections and CRM settings', () => {
    const config = loadConfig({
      IMPORT_DATABASES: '{"crm_pg":"postgres://reader:pw@127.0.0.1:5432/crm","legacy":"mysql://root@127.0.0.1:3306/test"}',
      IMPORT_CRM_ALLOWED_HOSTS: 'crm.example.com, 10.0.0.5:8443',
      IMPORT_CRM_CREDENTIALS: '{"hubspot":"token"}',
    });

    expect(config.IMPORT_DATABASES.get('legacy')).toBe('mysql://root@127.0.0.1:3306/test');
    expect(config.IMPORT_CRM_ALLOWED_HOSTS).toEqual(['crm.example.com', '10.0.0.5:8443']);
    expect(config.IMPORT_CRM_CREDENTIALS.get('hubspot')).toBe('token');
    expect(loadConfig({}).IMPORT_DATABASES.size).toBe(0);
  });

  it('rejects a bad import connection without showing it', () => {
    const load = () => loadConfig({ IMPORT_DATABASES: '{"crm":"oracle://user:S3cret@db/crm"}' });

    expect(load).toThrow(/IMPORT_DATABASES \(\(hidden\)\) has an entry 'crm' that is not a postgres:\/\//);
    expect(load).not.toThrow(/S3cret/);
    expect(() => loadConfig({ IMPORT_DATABASES: 'postgres://x' })).toThrow(/IMPORT_DATABASES \(\(hidden\)\) must be a JSON object/);
    expect(() => loadConfig({ IMPORT_CRM_ALLOWED_HOSTS: 'http://crm.example.com' })).toThrow(
      /IMPORT_CRM_ALLOWED_HOSTS .* must be comma-separated hosts/,
    );
  });
});

describe('loadConfig - HTTP provider', () => {
  const http = {
    SMS_GATEWAY: 'http',
    HTTP_PROVIDER_URL: 'https://sms.example.com/v1',
    HTTP_PROVIDER_API_KEY: 'live_4f1c2b9e',
    HTTP_PROVIDER_WEBHOOK_SECRET: 'whsec-0123456789abcdef0123456789abcdef',
  };

  it('reads the provider settings with their defaults', () => {
    expect(loadConfig(http)).toMatchObject({
      SMS_GATEWAY: 'http',
      HTTP_PROVIDER_URL: 'https://sms.example.com/v1',
      HTTP_PROVIDER_WEBHOOK_HOST: '127.0.0.1',
      HTTP_PROVIDER_WEBHOOK_PORT: 3080,
      HTTP_PROVIDER_TIMEOUT_MS: 10_000,
      HTTP_PROVIDER_MAX_CONCURRENCY: 50,
    });
  });

  it.each(['HTTP_PROVIDER_URL', 'HTTP_PROVIDER_API_KEY', 'HTTP_PROVIDER_WEBHOOK_SECRET'])(
    'requires %s when SMS_GATEWAY is http',
    (variable) => {
      expect(() => loadConfig({ ...http, [variable]: undefined })).toThrow(`${variable} (unset) is required when SMS_GATEWAY is http`);
    },
  );

  it('hides the API key, the webhook secret and the URL in messages', () => {
    const load = () =>
      loadConfig({
        ...http,
        HTTP_PROVIDER_URL: 'https://user:S3cretPass@sms.example.com',
        HTTP_PROVIDER_API_KEY: 'has spaces S3cretKey',
        HTTP_PROVIDER_WEBHOOK_SECRET: 'S3cretShort',
      });

    expect(load).toThrow(/HTTP_PROVIDER_URL \(\(hidden\)\) must be an http:\/\/ or https:\/\/ URL without credentials/);
    expect(load).toThrow(/HTTP_PROVIDER_API_KEY \(\(hidden\)\) must be printable ASCII without spaces/);
    expect(load).toThrow(/HTTP_PROVIDER_WEBHOOK_SECRET \(\(hidden\)\) must be at least 32 characters/);
    expect(load).not.toThrow(/S3cret/);
  });

  it('rejects a callback URL that is not http', () => {
    expect(() => loadConfig({ ...http, HTTP_PROVIDER_CALLBACK_URL: 'ftp://callbacks.example.com' })).toThrow(
      /HTTP_PROVIDER_CALLBACK_URL \('ftp:\/\/callbacks.example.com'\) must be an http:\/\/ or https:\/\/ URL/,
    );
  });
});
