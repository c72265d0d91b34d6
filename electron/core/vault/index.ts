export { Vault, type VaultOptions } from './vault';
export { VaultCorruptError, VaultError, VaultKeyMissingError, type VaultErrorCode } from './errors';
