export {
  CLOCK_ROLLBACK_TOLERANCE_MS,
  LEASE_RECHECK_MS,
  LeaseWatcher,
  evaluateLease,
  type LeaseEvaluation,
  type LeaseState,
  type LeaseWatcherOptions,
  type Scheduler,
} from './lease';
