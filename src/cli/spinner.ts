/**
 * A progress spinner on standard error, shown only when it is a terminal (never in a pipe or
 * a CI log).
 */
import type { AuditPhase } from '../audit/audit.js';

export interface Progress {
  update(text: string): void;
  stop(): void;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export function createSpinner(
  stream: NodeJS.WriteStream | { isTTY?: boolean; write(s: string): unknown },
  enabled: boolean,
): Progress {
  if (!enabled || !stream.isTTY) return { update: () => undefined, stop: () => undefined };
  let text = '';
  let frame = 0;
  const draw = (): void => {
    stream.write(`\r\u001b[2K${FRAMES[frame++ % FRAMES.length]} ${text}`);
  };
  const timer = setInterval(draw, 80);
  timer.unref();
  return {
    update(next: string) {
      text = next;
    },
    stop() {
      clearInterval(timer);
      stream.write('\r\u001b[2K');
    },
  };
}

/** What the spinner says in each stage of the audit. */
export function phaseText(phase: AuditPhase): string {
  switch (phase.phase) {
    case 'collect':
      return 'Collecting dependencies';
    case 'query':
      return `Querying ${phase.services.join(', ')} for ${phase.packages} ${phase.packages === 1 ? 'package' : 'packages'}`;
    case 'fetch':
      return phase.service === 'osv'
        ? `Fetching vulnerability records ${phase.done}/${phase.total}`
        : `Querying ${phase.service} ${phase.done}/${phase.total}`;
  }
}
