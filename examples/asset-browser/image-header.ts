// What an image file is and how big it says it is, from its first bytes: no decoding.

/** The formats told apart by their first bytes; only PNG and JPEG are decoded. */
export const ImageFormats = Object.freeze({
  png: 'PNG',
  jpeg: 'JPEG',
  gif: 'GIF',
  webp: 'WebP',
  bmp: 'BMP',
  tiff: 'TIFF',
} as const);

/** A format name of {@link ImageFormats}. */
export type ImageFormat = (typeof ImageFormats)[keyof typeof ImageFormats];

/** Width and height in pixels, as the file's header states them. */
export interface ImageSize {
  width: number;
  height: number;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function startsWith(bytes: Uint8Array, prefix: readonly number[], offset = 0): boolean {
  return prefix.every((byte, index) => bytes[offset + index] === byte);
}

const ascii = (text: string): number[] => Array.from(Buffer.from(text, 'latin1'));

/** The format named by the file's first bytes, or `undefined` when they match none. */
function detectFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (startsWith(bytes, PNG_SIGNATURE)) return ImageFormats.png;
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return ImageFormats.jpeg;
  if (startsWith(bytes, ascii('GIF8'))) return ImageFormats.gif;
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return ImageFormats.webp;
  if (startsWith(bytes, ascii('BM'))) return ImageFormats.bmp;
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0]) || startsWith(bytes, [0x4d, 0x4d, 0, 0x2a])) return ImageFormats.tiff;
  return undefined;
}

/** An image that cannot be read: its message says why, in words a user can act on. */
export class ImageReadError extends Error {
  override readonly name = 'ImageReadError';
  readonly code = 'ERR_IMAGE_READ';
}

/**
 * The format and size of a PNG or JPEG file, from its header.
 * @throws {ImageReadError} for another format, or a header that is cut short or malformed.
 */
export function readImageHeader(bytes: Uint8Array): ImageSize & { format: ImageFormat } {
  const format = detectFormat(bytes);
  if (format === ImageFormats.png) return { format, ...readPngSize(bytes) };
  if (format === ImageFormats.jpeg) return { format, ...readJpegSize(bytes) };
  if (format === undefined) throw new ImageReadError('not an image: its first bytes match no known image format');
  throw new ImageReadError(`unsupported format ${format}: only PNG and JPEG are read`);
}

/** The size in a PNG's IHDR chunk, which the format requires to come first. */
function readPngSize(bytes: Uint8Array): ImageSize {
  if (bytes.length < 24 || !startsWith(bytes, ascii('IHDR'), 12)) {
    throw new ImageReadError('corrupt PNG: no IHDR header');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return checked('PNG', view.getUint32(16), view.getUint32(20));
}

/** Start-of-frame markers (baseline, progressive, lossless, arithmetic); C4, C8 and CC are not frames. */
const SOF_MARKERS = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

/** Walks the JPEG's marker segments up to the first start-of-frame, which holds the size. */
function readJpegSize(bytes: Uint8Array): ImageSize {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 2;
  while (offset + 4 <= bytes.length) {
    if (bytes[offset] !== 0xff) throw new ImageReadError(`corrupt JPEG: no marker at byte ${offset}`);
    const marker = bytes[offset + 1] ?? 0;
    if (marker === 0xff) {
      offset += 1; // fill byte
      continue;
    }
    if (SOF_MARKERS.has(marker)) {
      if (offset + 9 > bytes.length) break;
      return checked('JPEG', view.getUint16(offset + 7), view.getUint16(offset + 5));
    }
    offset += 2 + view.getUint16(offset + 2);
  }
  throw new ImageReadError('corrupt JPEG: the file ends before its frame header');
}

function checked(format: string, width: number, height: number): ImageSize {
  if (width === 0 || height === 0) throw new ImageReadError(`corrupt ${format}: its header says ${width}×${height}`);
  return { width, height };
}
