// The worker module of the asset browser: everything that costs CPU runs here, on our worker threads.
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { defineWorkerTasks } from 'background-task-manager/worker';
import { writeAtomically } from './atomic-write.js';
import { decodeImage, encodeJpeg, encodePng } from './codecs.js';
import { downscale, fitWithin } from './downscale.js';
import { readImageHeader } from './image-header.js';
import { WORKER_MEMORY_MB } from './limits.js';
import { drawSample } from './sample-draw.js';
import type { SampleSpec } from './sample-plan.js';

/** What the "check cache" task found; merged into the kwargs of the thumbnail tasks downstream. */
export interface CacheCheck {
  source: string;
  thumbnail: string;
  cached: boolean;
}

/** The result of `makeThumbnail`: nothing on a cache hit, else the downscaled pixels. */
export type MadeThumbnail = { cached: true } | { cached: false; width: number; height: number; pixels: Uint8Array };

/** One image's entry in the metadata index. */
export type ImageMetadata =
  { sha256: string; bytes: number; width: number; height: number } | { sha256?: string; bytes?: number; error: string };

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Decodes the source and shrinks it so its longest edge is `size`; skipped on a cache hit. */
async function makeThumbnail(size: number, kwargs: CacheCheck): Promise<MadeThumbnail> {
  if (kwargs.cached) return { cached: true };
  const image = decodeImage(await readFile(kwargs.source), WORKER_MEMORY_MB);
  const fit = fitWithin(image.width, image.height, size);
  const small = downscale(image, fit.width, fit.height);
  return { cached: false, width: small.width, height: small.height, pixels: small.data };
}

/**
 * Encodes the pixels made upstream as PNG and writes them to the thumbnail path, whole or not at all:
 * a thumbnail newer than its source counts as made, so a half-written one would stay for good.
 */
async function writeThumbnail(kwargs: CacheCheck & MadeThumbnail): Promise<{ thumbnail: string; cached: boolean }> {
  if (kwargs.cached) return { thumbnail: kwargs.thumbnail, cached: true };
  const png = encodePng({ width: kwargs.width, height: kwargs.height, data: kwargs.pixels });
  await writeAtomically(kwargs.thumbnail, png);
  return { thumbnail: kwargs.thumbnail, cached: false };
}

/**
 * Hashes the file and reads its size from its header. An unreadable header is recorded as the
 * image's `error` rather than thrown, so one bad image does not fail its folder and the index.
 */
async function describeImage(source: string, rel: string): Promise<Record<string, ImageMetadata>> {
  let bytes: Buffer;
  try {
    bytes = await readFile(source);
  } catch (error) {
    return { [rel]: { error: message(error) } };
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  try {
    const { width, height } = readImageHeader(bytes);
    return { [rel]: { sha256, bytes: bytes.length, width, height } };
  } catch (error) {
    return { [rel]: { sha256, bytes: bytes.length, error: message(error) } };
  }
}

/** Draws one picture of the sample set and writes it. */
async function writeSample(path: string, spec: SampleSpec): Promise<number> {
  const image = drawSample(spec.kind, spec.width, spec.height, spec.seed);
  let encoded = spec.format === 'png' ? encodePng(image, true) : encodeJpeg(image, 80);
  if (spec.truncate === true) encoded = encoded.subarray(0, Math.floor(encoded.length / 2));
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, encoded);
  return encoded.length;
}

export default defineWorkerTasks({ makeThumbnail, writeThumbnail, describeImage, writeSample });
