export { WIPE_MARKER_SUFFIX, cryptoShred, resumeInterruptedWipe, wipeMarkerPath, type CryptoShredOptions, type WipeReport } from './crypto-shred';
