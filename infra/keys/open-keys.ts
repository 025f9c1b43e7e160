import type { PersonalDataVault } from '../../domain/privacy/personal-data.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Stores } from '../stores.ts';
import { loadMasterKey } from './master-key.ts';
import { createVault } from './vault.ts';

export interface Keys {
  masterKey: Buffer;
  vault: PersonalDataVault;
}

export function openKeys(config: Config, stores: Stores, logger: Logger): Keys {
  const masterKey = loadMasterKey(config, stores.dataDir, logger);
  return { masterKey, vault: createVault(stores.documents, masterKey) };
}
