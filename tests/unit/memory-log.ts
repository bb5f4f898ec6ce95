// A pino destination that keeps every log line in memory, for asserting what reaches stderr.
import { Writable } from "node:stream";
import { createLogger, type Logger } from "../../src/observability/logger.ts";

export interface MemoryLog {
  logger: Logger;
  /** Raw lines as pino wrote them. */
  raw: string[];
  /** Every line parsed as JSON. */
  lines(): Array<Record<string, unknown>>;
}

export function memoryStream(): { stream: Writable; raw: string[] } {
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      for (const line of String(chunk).split("\n")) if (line.trim() !== "") raw.push(line);
      cb();
    },
  });
  return { stream, raw };
}

export function memoryLogger(level = "info"): MemoryLog {
  const { stream, raw } = memoryStream();
  const logger = createLogger(level, stream);
  return { logger, raw, lines: () => raw.map((l) => JSON.parse(l) as Record<string, unknown>) };
}
