import { describe, expect, it } from 'vitest';
import { downscale, fitWithin, type RgbaImage } from '../../../examples/asset-browser/downscale.js';

function image(width: number, height: number, pixel: (x: number, y: number) => readonly number[]): RgbaImage {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set(pixel(x, y), (y * width + x) * 4);
  return { width, height, data };
}

const pixels = (img: RgbaImage): number[][] =>
  Array.from({ length: img.width * img.height }, (_, i) => [...img.data.subarray(i * 4, i * 4 + 4)]);

describe('fitWithin', () => {
  it('fits the longest edge to the size and keeps the aspect ratio', () => {
    expect(fitWithin(1024, 768, 128)).toEqual({ width: 128, height: 96 });
    expect(fitWithin(768, 1024, 128)).toEqual({ width: 96, height: 128 });
    expect(fitWithin(300, 300, 128)).toEqual({ width: 128, height: 128 });
  });

  it('never enlarges, and keeps at least one pixel per edge', () => {
    expect(fitWithin(90, 120, 128)).toEqual({ width: 90, height: 120 });
    expect(fitWithin(10_000, 10, 128)).toEqual({ width: 128, height: 1 });
  });
});

describe('downscale (area averaging)', () => {
  it('averages each 2×2 block into one pixel', () => {
    const source = image(4, 2, (x) => (x < 2 ? [0, 100, 200, 255] : [x === 2 ? 40 : 60, 0, 0, 255]));
    expect(pixels(downscale(source, 2, 1))).toEqual([
      [0, 100, 200, 255],
      [50, 0, 0, 255],
    ]);
  });

  it('weights source pixels by the part of them each output pixel covers (3 → 2)', () => {
    // Output pixel 0 covers source 0 and half of source 1; output 1 the other half of 1 and source 2.
    const source = image(3, 1, (x) => [[0, 90, 180][x] ?? 0, 0, 0, 255]);
    expect(pixels(downscale(source, 2, 1)).map((p) => p[0])).toEqual([30, 150]);
  });

  it('keeps a uniform colour exactly, whatever the ratio', () => {
    const source = image(97, 61, () => [12, 34, 56, 255]);
    const small = downscale(source, 13, 7);
    expect(new Set(pixels(small).map((p) => p.join(',')))).toEqual(new Set(['12,34,56,255']));
  });

  it('weights colours by alpha, so transparent pixels do not darken the result', () => {
    const source = image(2, 1, (x) => (x === 0 ? [255, 0, 0, 255] : [0, 0, 0, 0]));
    expect(pixels(downscale(source, 1, 1))).toEqual([[255, 0, 0, 128]]);
  });

  it('refuses to enlarge', () => {
    expect(() =>
      downscale(
        image(2, 2, () => [0, 0, 0, 255]),
        3,
        2,
      ),
    ).toThrow(RangeError);
  });
});
