/**
 * Ctrl-C for long commands: the first SIGINT aborts the returned signal so the command can stop
 * between whole records and say what it kept; a second one exits at once (status 130).
 */
export function interruptible(onFirst: () => void): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const handler = () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
    onFirst();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
