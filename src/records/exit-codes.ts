/** Exit codes of an app and of trellis's commands (the README's table); run.json records the run's. */
export const EXIT_CODES = {
  completed: 0,
  failed: 1,
  usage: 2,
  internal: 70,
  /** trellis could not write its records (a full disk, a lost mount). */
  recordsIo: 74,
  SIGINT: 130,
  SIGTERM: 143,
} as const;
