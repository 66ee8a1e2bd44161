// Starts dev/scan-worker.ts (built) as a child process and follows its JSON log lines: for the bench, which runs
// two of them on one queue and kills one, and for the worker's tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export type LogLine = Readonly<Record<string, unknown>>;

export interface WorkerProcess {
  readonly child: ChildProcess;
  /** Its log lines so far (one JSON object a line of standard output). */
  readonly lines: LogLine[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The first log line, past or future, that matches; rejects if the worker exits first. */
  line(match: (line: LogLine) => boolean): Promise<LogLine>;
  /** SIGTERM, then its exit: the batches in flight finish first. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL, as an instance recycled mid-batch: nothing in flight is finished or given back. */
  kill(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The built worker: dist/dev/scan-worker.js (beside this file once built). */
export const WORKER_ENTRY = fileURLToPath(
  new URL(
    import.meta.url.includes('/dist/dev/') ? './scan-worker.js' : '../dist/dev/scan-worker.js',
    import.meta.url,
  ),
);

/**
 * A worker process with exactly these settings (only PATH is inherited: nothing of the parent's environment leaks
 * into its configuration) and these options (`--message-lease`, ...).
 */
export function startWorkerProcess(
  env: Readonly<Record<string, string>>,
  args: readonly string[] = [],
): WorkerProcess {
  const child = spawn(process.execPath, [WORKER_ENTRY, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: LogLine[] = [];
  const waiting: { match: (l: LogLine) => boolean; resolve: (l: LogLine) => void }[] = [];
  let buffered = '';
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4_000)));
  child.stdout?.on('data', (c: Buffer) => {
    buffered += c.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const part of parts) {
      if (!part.trim()) continue;
      let line: LogLine;
      try {
        line = JSON.parse(part) as LogLine;
      } catch {
        line = { message: part };
      }
      lines.push(line);
      for (const w of [...waiting])
        if (w.match(line)) {
          waiting.splice(waiting.indexOf(w), 1);
          w.resolve(line);
        }
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    child,
    lines,
    exited,
    line: (match) => {
      const seen = lines.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiting.push({ match, resolve });
        void exited.then(({ code, signal }) =>
          reject(new Error(`the scan worker exited (${code ?? signal}) first: ${stderr}`)),
        );
      });
    },
    stop: () => {
      if (running()) child.kill('SIGTERM');
      return exited;
    },
    kill: () => {
      if (running()) child.kill('SIGKILL');
      return exited;
    },
  };
}
