import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('defaults to the embedded stores on localhost:3000', () => {
    expect(loadConfig({})).toEqual({
      port: 3000,
      host: '127.0.0.1',
      dataDir: './data',
      eventStoreUrl: undefined,
      mongoUrl: undefined,
      logLevel: 'info',
      masterKey: undefined,
      publicUrl: 'http://127.0.0.1:3000',
    });
  });

  it('reads every variable', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    const config = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      DATA_DIR: '/var/lib/cv',
      EVENTSTORE_URL: 'esdb://localhost:2113?tls=false',
      MONGODB_URL: 'mongodb://localhost:27017/cloudventory',
      LOG_LEVEL: 'warn',
      CLOUDVENTORY_MASTER_KEY: key,
      PUBLIC_URL: 'https://inventory.example.com/',
    });
    expect(config).toMatchObject({ port: 8080, host: '0.0.0.0', eventStoreUrl: 'esdb://localhost:2113?tls=false', masterKey: key, publicUrl: 'https://inventory.example.com' });
  });

  it('treats empty optional variables as unset', () => {
    expect(loadConfig({ EVENTSTORE_URL: '', MONGODB_URL: ' ' })).toMatchObject({ eventStoreUrl: undefined, mongoUrl: undefined });
  });

  it.each([
    [{ PORT: 'abc' }, /^Invalid configuration: PORT must be a number \(got "abc"\)$/],
    [{ PORT: '70000' }, /^Invalid configuration: PORT must be 1 to 65535/],
    [{ LOG_LEVEL: 'loud' }, /^Invalid configuration: LOG_LEVEL must be one of/],
    [{ MONGODB_URL: 'postgres://x' }, /^Invalid configuration: MONGODB_URL must be a mongodb:\/\/ or mongodb\+srv:\/\/ URL$/],
    [{ EVENTSTORE_URL: 'http://x' }, /^Invalid configuration: EVENTSTORE_URL must be an esdb/],
    [{ CLOUDVENTORY_MASTER_KEY: 'short' }, /^Invalid configuration: CLOUDVENTORY_MASTER_KEY must be 32 bytes in base64/],
    [{ PUBLIC_URL: 'ftp://x' }, /^Invalid configuration: PUBLIC_URL must be an http\(s\) URL/],
  ])('refuses %o with one line naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('never repeats a secret value in the message', () => {
    expect(() => loadConfig({ CLOUDVENTORY_MASTER_KEY: 'not-a-real-key-but-secret' })).toThrow(/^((?!not-a-real-key).)*$/);
  });
});
