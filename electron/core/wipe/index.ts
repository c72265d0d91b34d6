export { WIPE_MARKER_SUFFIX, cryptoShred, resumeInterruptedWipe, wipeMarkerPath, type CryptoShredOptions, type WipeReport } from './crypto-shred';
export { WIPE_CONFIRMATION_FILE, savePendingWipeConfirmation, sendPendingWipeConfirmation, wipeConfirmationPath, type WipeConfirmationOutcome } from './wipe-confirmation';
