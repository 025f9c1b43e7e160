import { resolve } from 'node:path';
import { apiDocument } from './openapi-document.ts';
import { contractSource } from './typescript.ts';

/** The web app's generated copy of the API contract, checked in. */
export const CONTRACT_FILE = resolve(import.meta.dirname, '../../web/src/lib/contract.ts');

/** What CONTRACT_FILE should hold for the API as it is now. */
export const currentContract = async () => contractSource(await apiDocument());
