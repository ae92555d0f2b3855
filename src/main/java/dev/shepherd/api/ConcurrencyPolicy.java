package dev.shepherd.api;

/** What a CronWorkflow does when a run is due while an earlier one is still running. */
public enum ConcurrencyPolicy {
  /** Start it anyway. */
  Allow,
  /** Skip it while one runs. */
  Forbid,
  /** Delete the running ones, then start it. */
  Replace
}
