// The pictures of the sample set: gradients, checkerboards, circles and noise, drawn from a seed.
import type { RgbaImage } from './downscale.js';
import { createRandom, randomInt } from './random.js';

/** What a sample image shows. */
export const SampleKinds = Object.freeze({
  gradient: 'gradient',
  checkerboard: 'checkerboard',
  circles: 'circles',
  noise: 'noise',
} as const);

/** A kind of {@link SampleKinds}. */
export type SampleKind = keyof typeof SampleKinds;

type Rgb = readonly [number, number, number];
type Painter = (x: number, y: number) => Rgb;

/** Draws a `width`×`height` opaque picture of `kind`; the same arguments give the same pixels. */
export function drawSample(kind: SampleKind, width: number, height: number, seed: number): RgbaImage {
  const random = createRandom(seed);
  const painter = painters[kind](width, height, random);
  const data = new Uint8Array(width * height * 4);
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i += 4) {
      const [r, g, b] = painter(x, y);
      data[i] = r;
      data[i + 1] = g;
      data[i + 2] = b;
      data[i + 3] = 255;
    }
  }
  return { width, height, data };
}

const randomColour = (random: () => number): Rgb => [
  randomInt(random, 0, 255),
  randomInt(random, 0, 255),
  randomInt(random, 0, 255),
];

const mix = (a: Rgb, b: Rgb, t: number): Rgb => [
  Math.round(a[0] + (b[0] - a[0]) * t),
  Math.round(a[1] + (b[1] - a[1]) * t),
  Math.round(a[2] + (b[2] - a[2]) * t),
];

const painters: Record<SampleKind, (width: number, height: number, random: () => number) => Painter> = {
  gradient: (width, height, random) => {
    const [from, to] = [randomColour(random), randomColour(random)];
    const angle = random() * Math.PI;
    const [dx, dy] = [Math.cos(angle), Math.sin(angle)];
    const span = Math.abs(dx) * width + Math.abs(dy) * height;
    const offset = Math.min(0, dx * width) + Math.min(0, dy * height);
    return (x, y) => mix(from, to, (x * dx + y * dy - offset) / span);
  },
  checkerboard: (_width, _height, random) => {
    const [a, b] = [randomColour(random), randomColour(random)];
    const cell = randomInt(random, 4, 48);
    return (x, y) => ((Math.floor(x / cell) + Math.floor(y / cell)) % 2 === 0 ? a : b);
  },
  circles: (width, height, random) => {
    const background = randomColour(random);
    const circles = Array.from({ length: randomInt(random, 3, 9) }, () => ({
      cx: random() * width,
      cy: random() * height,
      r2: (random() * Math.min(width, height) * 0.4 + 4) ** 2,
      colour: randomColour(random),
    }));
    return (x, y) => {
      let colour = background;
      for (const c of circles) if ((x - c.cx) ** 2 + (y - c.cy) ** 2 <= c.r2) colour = c.colour;
      return colour;
    };
  },
  noise: (_width, _height, random) => {
    const base = randomColour(random);
    return () => mix(base, randomColour(random), 0.5);
  },
};
