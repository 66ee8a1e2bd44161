// Public surface of the Communication Services Email emulator for the local host and tests.
export {
  startEmailEmulator,
  SUPPORTED_API_VERSIONS,
  MAX_REQUEST_BYTES,
  type EmailEmulatorOptions,
  type EmailEmulatorStats,
  type RunningEmailEmulator,
  type SentMessage,
} from './emulator.js';
export type { EmailFaultRule, EmailFaults } from './faults.js';
export type { EmailRateLimit } from './rateLimit.js';
export { parseEml, type ParsedEml } from './eml.js';
