// Decoding PNG and JPEG into RGBA pixels and encoding PNG, with pure-JavaScript codecs (pngjs,
// jpeg-js): the CPU work stays on the thread that calls them, a worker of ours.
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import type { RgbaImage } from './downscale.js';
import { ImageFormats, ImageReadError, readImageHeader } from './image-header.js';

/**
 * Bytes a decode of `width`×`height` needs at its peak: the RGBA pixels, plus about as much again
 * for the codec's own buffers (pngjs's inflated scanlines, jpeg-js's component planes).
 */
function decodeBytesNeeded(width: number, height: number): number {
  return width * height * 4 * 2;
}

/**
 * Decodes a PNG or JPEG file into RGBA pixels. The size in the header is checked against
 * `memoryLimitMb` before anything is allocated, so a header that claims a huge image fails at once.
 * @throws {ImageReadError} for another format, a corrupt or truncated file, or an image too large.
 */
export function decodeImage(bytes: Uint8Array, memoryLimitMb: number): RgbaImage {
  const header = readImageHeader(bytes);
  const needed = decodeBytesNeeded(header.width, header.height);
  if (needed > memoryLimitMb * 2 ** 20) {
    const mb = Math.ceil(needed / 2 ** 20);
    throw new ImageReadError(
      `${header.width}×${header.height} ${header.format} needs ${mb} MB to decode: too large for the worker's memory limit of ${memoryLimitMb} MB`,
    );
  }
  try {
    return header.format === ImageFormats.png ? decodePng(bytes) : decodeJpeg(bytes, memoryLimitMb);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ImageReadError(`corrupt or truncated ${header.format}: ${reason}`, { cause: error });
  }
}

function decodePng(bytes: Uint8Array): RgbaImage {
  // pngjs expands palette, grey and 16-bit images to 8-bit RGBA.
  const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return {
    width: png.width,
    height: png.height,
    data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.length),
  };
}

function decodeJpeg(bytes: Uint8Array, memoryLimitMb: number): RgbaImage {
  // jpeg-js fails a file that ends early ("marker was not found") either way; not tolerant, it
  // also fails a damaged segment instead of decoding around it.
  const image = jpeg.decode(bytes, {
    useTArray: true,
    formatAsRGBA: true,
    tolerantDecoding: false,
    maxMemoryUsageInMB: memoryLimitMb,
  });
  return { width: image.width, height: image.height, data: image.data };
}

/**
 * Encodes RGBA pixels as a PNG file: smallest by default (pngjs tries every row filter and
 * compresses hardest), or `fast` (one filter, light compression: several times quicker, for the sample set).
 */
export function encodePng(image: RgbaImage, fast = false): Uint8Array {
  const png = new PNG({ width: image.width, height: image.height });
  png.data = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  return PNG.sync.write(png, fast ? { deflateLevel: 1, filterType: 1 } : {});
}

/** Encodes RGBA pixels as a JPEG file (alpha is dropped); for the sample set. */
export function encodeJpeg(image: RgbaImage, quality: number): Uint8Array {
  return jpeg.encode({ width: image.width, height: image.height, data: image.data }, quality).data;
}
