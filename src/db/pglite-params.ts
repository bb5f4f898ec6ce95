// How every embedded database is created and started, whichever way its data directory was made (initdb
// when it opens a new directory, or the template built with the package): the same parameters, so that a
// data directory from the template can do exactly what one from initdb can. No PGlite import: cli.ts
// loads this before the heavy modules to start the database's thread.

/**
 * initdb's: 1 MB WAL segments instead of 16 MB. A segment is preallocated whole, so a new directory holds
 * 1 MB segments instead of a 16 MB one of mostly zeros to unpack and write at a first start.
 */
export const INITDB_PARAMS = ["--wal-segsize=1"];

/**
 * The server's, after PGlite.defaultStartParams: shared_buffers as configured (PGlite allocates and zeroes
 * it at every start), and PostgreSQL's default WAL bounds, which initdb would otherwise scale down with the
 * segment size (to 5 MB / 64 MB), checkpointing a large write sixteen times as often.
 */
export function startSettings(sharedBuffersMb: number): string[] {
  return ["-c", `shared_buffers=${sharedBuffersMb}MB`, "-c", "min_wal_size=80MB", "-c", "max_wal_size=1GB"];
}
