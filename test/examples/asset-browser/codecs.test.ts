import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { decodeImage, encodeJpeg, encodePng } from '../../../examples/asset-browser/codecs.js';
import { readImageHeader } from '../../../examples/asset-browser/image-header.js';
import { brokenFiles } from '../../../examples/asset-browser/sample-plan.js';
import { drawSample } from '../../../examples/asset-browser/sample-draw.js';

const picture = drawSample('circles', 40, 30, 1);
const broken = (rel: string): Uint8Array => brokenFiles().find((file) => file.rel === rel)?.bytes ?? new Uint8Array();

describe('codecs', () => {
  it('encode PNG losslessly, both ways of compressing', () => {
    for (const fast of [false, true]) {
      const decoded = PNG.sync.read(Buffer.from(encodePng(picture, fast)));
      expect([decoded.width, decoded.height]).toEqual([40, 30]);
      expect(new Uint8Array(decoded.data)).toEqual(picture.data);
      expect(decodeImage(encodePng(picture, fast), 64).data).toEqual(picture.data);
    }
  });

  it('decode JPEG to RGBA pixels close to the original', () => {
    const decoded = decodeImage(encodeJpeg(picture, 95), 64);
    expect([decoded.width, decoded.height, decoded.data.length]).toEqual([40, 30, 40 * 30 * 4]);
    let error = 0;
    for (let i = 0; i < picture.data.length; i++) error += Math.abs((decoded.data[i] ?? 0) - (picture.data[i] ?? 0));
    expect(error / picture.data.length).toBeLessThan(8);
  });

  it('fail a truncated JPEG with a readable message, not a grey bottom half', () => {
    const jpeg = encodeJpeg(drawSample('noise', 64, 64, 2), 80);
    expect(() => decodeImage(jpeg.subarray(0, jpeg.length >> 1), 64)).toThrow(/^corrupt or truncated JPEG: /);
  });

  it('fail a truncated PNG with a readable message', () => {
    const png = encodePng(drawSample('noise', 64, 64, 3));
    expect(() => decodeImage(png.subarray(0, png.length >> 1), 64)).toThrow(/^corrupt or truncated PNG: /);
  });

  it('refuse an image whose header asks for more than the memory limit, before decoding it', () => {
    // The file is 33 bytes: only the header exists, so anything but the size check would fail otherwise.
    expect(() => decodeImage(broken('patterns/huge.png'), 512)).toThrow(
      "60000×60000 PNG needs 27466 MB to decode: too large for the worker's memory limit of 512 MB",
    );
    const header = readImageHeader(encodePng(picture));
    expect(() => decodeImage(encodePng(picture), (header.width * header.height * 8 - 1) / 2 ** 20)).toThrow(
      /too large for the worker's memory limit/,
    );
  });
});
