import { describe, expect, it } from 'vitest';
import { containerRuntimeUnavailable } from '../testing/container-runtime.ts';
import { describeEventStoreConformance, testEvent } from './conformance.ts';
import { openEsdbEventStore } from './esdb.ts';

const image = process.env.EVENTSTORE_IMAGE ?? 'docker.eventstore.com/eventstore/eventstore:24.10';
const existingServer = process.env.EVENTSTORE_URL;
const skipReason = existingServer ? undefined : await containerRuntimeUnavailable();
if (skipReason) console.log(`EventStore conformance: esdb skipped: ${skipReason}; set EVENTSTORE_URL to run it against a server`);

describe.runIf(!skipReason)('esdb', () => {
  describeEventStoreConformance('esdb', async () => {
    if (existingServer) return openEsdbEventStore(existingServer);
    const { GenericContainer, Wait } = await import('testcontainers');
    const container = await new GenericContainer(image)
      .withEnvironment({ EVENTSTORE_INSECURE: 'true', EVENTSTORE_MEM_DB: 'true', EVENTSTORE_RUN_PROJECTIONS: 'None' })
      .withExposedPorts(2113)
      .withWaitStrategy(Wait.forHttp('/health/live', 2113).forStatusCode(204))
      .start();
    const store = openEsdbEventStore(`esdb://${container.getHost()}:${container.getMappedPort(2113)}?tls=false`);
    return {
      ...store,
      close: async () => {
        await store.close();
        await container.stop();
      },
    };
  });
});

describe('esdb adapter without a server', () => {
  it('turns a refused connection into one StoreUnavailableError with a clear message', async () => {
    const store = openEsdbEventStore('esdb://127.0.0.1:9?tls=false&defaultDeadline=3000');
    try {
      await expect(store.append('probe', [testEvent('Probe')], { expected: 'any' })).rejects.toMatchObject({
        code: 'STORE_UNAVAILABLE',
        message: expect.stringContaining('EventStoreDB at esdb://127.0.0.1:9'),
      });
      await expect(store.headPosition()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    } finally {
      await store.close();
    }
  });
});
