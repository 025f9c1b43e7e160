import { afterAll, describe, expect, it } from 'vitest';
import { startMoto } from '../../infra/testing/peers.ts';
import { createAwsClients } from './clients.ts';
import { enabledRegions } from './regions.ts';

const moto = await startMoto();
afterAll(() => moto.peer?.stop());
if (moto.reason) console.log(`region tests skipped: ${moto.reason}`);

describe.runIf(moto.peer)('enabled regions', () => {
  it('lists default regions and leaves out opt-in regions the account has not enabled', async () => {
    const aws = createAwsClients({ endpoint: moto.peer?.url });

    const regions = await enabledRegions({ aws, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });

    expect(regions).toEqual(expect.arrayContaining(['eu-west-1', 'us-east-1', 'us-west-2']));
    // moto reports ap-east-1 (Hong Kong) and me-south-1 (Bahrain) as not opted in, as a new account does.
    expect(regions).not.toContain('ap-east-1');
    expect(regions).not.toContain('me-south-1');
    expect(regions).toEqual([...regions].sort());
  });
});
