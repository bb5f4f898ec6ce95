// Where backups live: a directory, or an S3-compatible bucket under a prefix. Both hold flat files
// (archives, manifests, last-run.json), so the backup code does not care which one it writes to.
import { createReadStream, createWriteStream } from "node:fs";
import { copyFile, mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { pipeline } from "node:stream/promises";
import type { Readable } from "node:stream";
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { silenceAwsNodeVersionWarning } from "../config/aws-sdk.ts";

export interface BackupStore {
  /** Where, for messages: the directory or s3://bucket/prefix. */
  readonly location: string;
  putFile(name: string, localPath: string): Promise<void>;
  putText(name: string, text: string): Promise<void>;
  getFile(name: string, localPath: string): Promise<void>;
  /** The text of a file, or null when there is none. */
  getText(name: string): Promise<string | null>;
  list(): Promise<string[]>;
  remove(names: string[]): Promise<void>;
}

export interface StoreOptions {
  s3Endpoint?: string | undefined;
  s3Region: string;
}

export function openStore(target: string, options: StoreOptions): BackupStore {
  if (target.startsWith("s3://")) return s3Store(target, options);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) throw new Error(`BACKUP_TARGET / --to: '${target}' is neither a directory nor an s3://bucket/prefix URL`);
  return dirStore(resolve(target));
}

function dirStore(dir: string): BackupStore {
  const at = (name: string) => join(dir, name);
  const ready = () => mkdir(dir, { recursive: true, mode: 0o700 });
  return {
    location: dir,
    async putFile(name, localPath) {
      await ready();
      await copyFile(localPath, at(name));
    },
    async putText(name, text) {
      await ready();
      await writeFile(at(name), text, { mode: 0o600 });
    },
    async getFile(name, localPath) {
      await copyFile(at(name), localPath);
    },
    async getText(name) {
      try {
        return await readFile(at(name), "utf8");
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
        throw err;
      }
    },
    async list() {
      try {
        return (await readdir(dir)).sort();
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
        throw err;
      }
    },
    async remove(names) {
      for (const n of names) await rm(at(n), { force: true });
    },
  };
}

function s3Store(target: string, options: StoreOptions): BackupStore {
  const url = new URL(target);
  const bucket = url.hostname;
  if (!bucket) throw new Error(`BACKUP_TARGET / --to: '${target}' names no bucket (s3://bucket/prefix)`);
  const prefix = url.pathname.replace(/^\/+|\/+$/g, "");
  const key = (name: string) => (prefix ? `${prefix}/${name}` : name);
  silenceAwsNodeVersionWarning();
  const client = new S3Client({
    region: options.s3Region,
    // S3-compatible servers: path-style addressing, and checksums only where S3 requires them (the SDK's
    // default streams uploads in aws-chunked encoding with trailing checksums, which not all of them parse).
    ...(options.s3Endpoint
      ? { endpoint: options.s3Endpoint, forcePathStyle: true, requestChecksumCalculation: "WHEN_REQUIRED", responseChecksumValidation: "WHEN_REQUIRED" }
      : {}),
  });
  return {
    location: `s3://${bucket}${prefix ? `/${prefix}` : ""}`,
    async putFile(name, localPath) {
      const { size } = await stat(localPath);
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key(name), Body: createReadStream(localPath), ContentLength: size }));
    },
    async putText(name, text) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key(name), Body: text, ContentType: "application/json" }));
    },
    async getFile(name, localPath) {
      const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key(name) }));
      await pipeline(res.Body as Readable, createWriteStream(localPath, { mode: 0o600 }));
    },
    async getText(name) {
      try {
        const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key(name) }));
        return await res.Body!.transformToString("utf8");
      } catch (err) {
        if (err instanceof NoSuchKey || (err as { name?: string }).name === "NoSuchKey") return null;
        throw err;
      }
    },
    async list() {
      const names: string[] = [];
      let token: string | undefined;
      do {
        const res = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix ? `${prefix}/` : undefined, ContinuationToken: token }),
        );
        for (const o of res.Contents ?? []) {
          const rest = prefix ? o.Key!.slice(prefix.length + 1) : o.Key!;
          if (!rest.includes("/")) names.push(rest);
        }
        token = res.IsTruncated ? res.NextContinuationToken : undefined;
      } while (token);
      return names.sort();
    },
    async remove(names) {
      for (let i = 0; i < names.length; i += 1000) {
        const chunk = names.slice(i, i + 1000);
        if (chunk.length) await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: chunk.map((n) => ({ Key: key(n) })) } }));
      }
    },
  };
}
