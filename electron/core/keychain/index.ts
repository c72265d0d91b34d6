export { KeychainUnavailableError } from './errors';
export { KeytarSecretStore } from './keytar-secret-store';
export { MemorySecretStore } from './memory-secret-store';
