import { describe, expect, it } from 'vitest';
import { encodeJpeg, encodePng } from '../../../examples/asset-browser/codecs.js';
import { ImageReadError, readImageHeader } from '../../../examples/asset-browser/image-header.js';
import { brokenFiles } from '../../../examples/asset-browser/sample-plan.js';
import { drawSample } from '../../../examples/asset-browser/sample-draw.js';

const broken = (rel: string): Uint8Array => brokenFiles().find((file) => file.rel === rel)?.bytes ?? new Uint8Array();

describe('readImageHeader', () => {
  it('reads the size of a PNG from its IHDR chunk', () => {
    expect(readImageHeader(encodePng(drawSample('gradient', 37, 21, 1)))).toEqual({
      format: 'PNG',
      width: 37,
      height: 21,
    });
    expect(readImageHeader(broken('patterns/huge.png'))).toEqual({ format: 'PNG', width: 60_000, height: 60_000 });
  });

  it('reads the size of a JPEG from its start-of-frame segment, past the segments before it', () => {
    const jpeg = encodeJpeg(drawSample('checkerboard', 33, 65, 1), 80);
    expect(readImageHeader(jpeg)).toEqual({ format: 'JPEG', width: 33, height: 65 });
    // Only the header is needed: the first 1 KB of the file is enough.
    expect(readImageHeader(jpeg.subarray(0, 1024))).toEqual({ format: 'JPEG', width: 33, height: 65 });
  });

  it('names a format it does not read', () => {
    expect(() => readImageHeader(broken('holidays/animation.gif'))).toThrow(
      'unsupported format GIF: only PNG and JPEG are read',
    );
  });

  it('says when the bytes are no image at all', () => {
    for (const rel of ['scans/corrupt.png', 'textures/readme.jpg']) {
      expect(() => readImageHeader(broken(rel))).toThrow(
        new ImageReadError('not an image: its first bytes match no known image format'),
      );
    }
  });

  it('fails a JPEG cut before its frame header, and a PNG without IHDR', () => {
    const jpeg = encodeJpeg(drawSample('gradient', 8, 8, 1), 80);
    expect(() => readImageHeader(jpeg.subarray(0, 20))).toThrow('corrupt JPEG: the file ends before its frame header');
    expect(() => readImageHeader(encodePng(drawSample('gradient', 8, 8, 1)).subarray(0, 12))).toThrow(
      'corrupt PNG: no IHDR header',
    );
  });
});
