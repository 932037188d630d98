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

  it('hides secrets in messages', () => {
    expect(() => loadConfig({ AUTH_JWT_SECRET: 'short' })).toThrow(/AUTH_JWT_SECRET \(\(hidden\)\) must be at least 32 characters/);
  });

  it('requires SMPP_URL in its documented form', () => {
    expect(() => loadConfig({ SMS_GATEWAY: 'smpp', SMPP_URL: 'localhost:2775' })).toThrow(/SMPP_URL .* must be smpp:\/\//);
  });
});
