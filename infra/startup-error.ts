/**
 * A problem that stops Cloudventory from starting, phrased for the person who started it:
 * the entry point prints the message as one line and exits 1, without a stack trace.
 */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}
